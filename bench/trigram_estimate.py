#!/usr/bin/env python3
"""How many postings a trigram index would add to the search index.

This is the estimate made before kana trigrams went into the index (db/search.cc
now holds them): it models an index of bigrams and unigrams only, and is kept
to reproduce the figure in docs/performance.md's history.

For docs/performance.md: counts, per record of a catalogue TSV written by
bench/catalog_gen.py, the bigrams and unigrams shiori's index holds for the
kanji/kana runs, and the trigrams an index of trigrams would add (over every
field, or over the readings only).

    python3 bench/trigram_estimate.py /tmp/shiori-search-bench/100000/catalog.tsv

NFKC only, not the full search folding of charset/fold.cc: an estimate, not
the index.
"""
import csv
import re
import sys
import unicodedata

CJK_RUN = re.compile(r"[\u3041-\u30ff\u3400-\u4dbf\u4e00-\u9fff]+")


def runs(text):
    return CJK_RUN.findall(unicodedata.normalize("NFKC", text))


def main(path):
    seen = set()
    bigrams = unigrams = tri_all = tri_readings = 0
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            if row["id"] in seen:  # one row per copy
                continue
            seen.add(row["id"])
            for field in (row["title"], row["author"], row["publisher"], row["subjects"]):
                for run in runs(field):
                    n = len(run)
                    unigrams += n
                    bigrams += max(n - 1, 0)
                    tri_all += max(n - 2, 0)
            for key in ("title_kana", "author_kana", "publisher_kana"):
                for run in runs(row[key].replace(" ", "").replace("\u3000", "")):
                    n = len(run)
                    bigrams += max(n - 1, 0)
                    tri_all += max(n - 2, 0)
                    tri_readings += max(n - 2, 0)
    n = len(seen)
    print(f"records {n}; per record: bigrams {bigrams / n:.1f}, unigrams {unigrams / n:.1f},"
          f" trigrams over every field {tri_all / n:.1f}, over the readings only {tri_readings / n:.1f}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: trigram_estimate.py CATALOG.tsv")
    main(sys.argv[1])
