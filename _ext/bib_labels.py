"""Author-year labels in the bibliography, to match the author-year citations in the text.

sphinxcontrib-bibtex cites as "Glorot and Bengio, 2010" (``bibtex_reference_style:
author_year``) but labels the bibliography entries with pybtex's default "alpha" style
("[GB10]"), so a reader who follows a citation lands on a label that looks different. This
registers a pybtex formatting style, ``authoryear``, whose labels read like the citations
("Glorot and Bengio, 2010"; "Rumelhart et al., 1986a" and "1986b" when two collide), sorted by
author and year; ``_config.yml`` selects it with ``bibtex_default_style``.
"""

from __future__ import annotations

from collections import Counter

from pybtex.plugin import register_plugin
from pybtex.richtext import Text
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.labels import BaseLabelStyle


def _last_name(person) -> str:
    return Text.from_latex(" ".join(person.prelast_names + person.last_names)).render_as("text")


def _author_year(entry) -> str:
    people = entry.persons.get("author") or entry.persons.get("editor") or []
    names = [_last_name(p) for p in people]
    if len(names) == 2 and names[1] == "others":   # "Karpathy and others" in the .bib file
        names = [names[0], "", ""]
    if not names:
        who = entry.fields.get("title", entry.key)
    elif len(names) == 1:
        who = names[0]
    elif len(names) == 2:
        who = f"{names[0]} and {names[1]}"
    else:
        who = f"{names[0]} et al."
    return f"{who}, {entry.fields.get('year', 'n.d.')}"


class AuthorYearLabelStyle(BaseLabelStyle):
    def format_labels(self, sorted_entries):
        sorted_entries = list(sorted_entries)
        labels = [_author_year(e) for e in sorted_entries]
        counts, seen = Counter(labels), Counter()
        for label in labels:
            if counts[label] > 1:
                seen[label] += 1
                yield label + "abcdefghijklmnopqrstuvwxyz"[seen[label] - 1]
            else:
                yield label


class AuthorYearStyle(UnsrtStyle):
    default_label_style = AuthorYearLabelStyle
    default_sorting_style = "author_year_title"


def setup(app):
    register_plugin("pybtex.style.formatting", "authoryear", AuthorYearStyle)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
