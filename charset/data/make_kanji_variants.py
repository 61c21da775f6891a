#!/usr/bin/env python3
"""Writes charset/data/kanji-variants.txt from a checkout of cjkvi-variants.

    python3 charset/data/make_kanji_variants.py PATH/TO/cjkvi-variants > charset/data/kanji-variants.txt
    python3 charset/data/make_kanji_variants.py --classes PATH/TO/cjkvi-variants   # for review

The table folds variant kanji (異体字) for search: every character of a class
of variants becomes the class's canonical form. docs/kanji-variants.md gives
the policy; in short:

- Relations come from the Japanese tables of cjkvi-variants (SOURCES below):
  the old forms of 常用漢字表 and 人名用漢字, Kawabata's list of typical old
  forms, 表外漢字字体表, the source-separation pairs of ISO/IEC 10646, and the
  variant pairs of the 戸籍統一文字 (koseki) table between characters that
  Japanese character sets hold (JIS X 0208, JIS X 0213, CP932).
- The tables' relations join characters into classes. EXCLUDED_PAIRS are
  relations left out: pairs of characters that are different characters for
  a reader today (著/着, 坂/阪, 界/堺, ...), and errors of the source.
- NEVER_JOINED lists characters that must end in different classes (崎/埼,
  斎/斉, ...); the script stops if any two of one line do.
- The canonical form of a class is the first, in this order, of: the
  characters JIS X 0208 holds (a Shift_JIS phone can type them); those that
  no table names as an old form; JIS X 0208 level 1 (the common kanji)
  before level 2; the 戸籍統一文字 table's proper forms; the lowest code
  point.
  CANONICAL_CHOICES overrides this for a few classes.
- Keys are characters NFKC leaves as they are (search folding applies NFKC
  first): the CJK compatibility ideographs NFKC maps are not listed, the
  twelve it keeps (U+FA0E ...) are.

Python 3 standard library only: the cp932 and shift_jis_2004 codecs tell
which characters JIS X 0208, CP932 and JIS X 0213 hold.
"""

import argparse
import os
import subprocess
import sys
import unicodedata

# Files of cjkvi-variants read, and how: "pairs" files have lines
# "A,relation,B"; jp-old-style.txt has "new<TAB>old<TAB>compatibility".
SOURCES = [
    # file, relation, which side is the old (variant) form: "B" or "A", or None
    # for a relation between equals.
    ("joyo-variants.txt", "joyo/variant", "B"),  # 常用漢字表: 亜 (亞)
    ("jinmei-variants.txt", "jinmei2/variant", "B"),  # 人名用漢字 別表第二の二: 亜 亞
    ("jinmei-variants.txt", "jinmei1/variant", "B"),  # 人名用漢字 別表第二の一: 亘 亙
    ("hyogai-variants.txt", "hyogai/variant", None),  # 表外漢字字体表: 鷗 鴎
    ("ucs-scs.txt", "ucs-scs/variant", None),  # ISO/IEC 10646 source separation: 高 髙
    ("koseki-variants.txt", "koseki/variant", None),  # 戸籍統一文字: 邊 邉
]
OLD_STYLE = "jp-old-style.txt"  # 旧字体 list (Kawabata): 亜 亞
# jisx0213-variants.txt lists related characters (関連字), 崎 and 埼
# among them, so only these of its pairs are read: two CJK compatibility
# ideographs that NFKC leaves as they are, and 𠮟, the form the 常用漢字表
# prints for 叱, which no other table relates.
JISX0213 = ("jisx0213-variants.txt", "jisx0213/variant", ["欅﨔", "返﨤", "叱𠮟"])
# Pairs of koseki-variants.txt read although no Japanese character set holds
# the variant: names patrons meet in print (𠮷野家, 𠮷田), which the mail
# encoder also writes as 吉 (charset/iso2022jp.cc).
KOSEKI_OUTSIDE_SETS = {frozenset("吉𠮷")}

# Relations of the sources left out, as written (either order). Each is a
# pair of characters that are different characters for a reader today,
# which a search must not join, or an error of the source.
EXCLUDED_PAIRS = """
著着  jp-old-style, koseki: 著 (author, 著者) and 着 (arrive, wear) are two joyo kanji
栅棚  jp-old-style: 栅 is the old form of 柵 (fence), not of 棚 (shelf)
擔栃  jp-old-style: 擔 is the old form of 担; 栃 is unrelated
廉簾  jp-old-style: 廉 (cheap, 清廉) and 簾 (blind, すだれ) are different
絞紋  jp-old-style: 絞 (wring) and 紋 (crest) are different
撈𢭐  jp-old-style: a variant outside JIS X 0208 given as the new form of a JIS X 0208 kanji
鬮䦰  jp-old-style: likewise (鬮 くじ is JIS X 0208)
濾沪  hyogai: 沪 is also the Chinese simplified form of 滬 (Shanghai)
坂阪  koseki: 坂 and 阪 (大阪) are written differently in names and places
界堺  koseki: 堺 is the city of Sakai and a surname
井丼  koseki: 丼 (donburi) is its own word
功切  koseki: different characters
包勹  koseki: 勹 is a radical
尤尢  koseki: 尢 is a radical
終夂  koseki: 夂 is a radical
乞气  koseki: 气 is a radical (気)
來耒  koseki: 耒 (plough) is a different character
来耒  koseki: likewise
卅丗  koseki: 丗 is both 世 and 卅 (thirty); joined it would join them
世丗  koseki: likewise
丞亟  koseki: different characters
作做  koseki: 做 is its own character
隱乚  koseki: 乚 is a radical (乙); joined it would join 隠 and 乙
已㠯  koseki: 㠯 is an old form of 以; joined it would join 以 and 已
売壳  koseki: 壳 is also the Chinese simplified form of 殼; it would join 売 and 殻
某槑  koseki: 槑 is 梅; it would join 某 and 梅
忝沗  koseki: 沗 is 添; it would join 添 and 忝 (かたじけない)
你您  koseki: 您 is the polite "you" of Chinese, its own character
佩珮  koseki: 佩 (wear) and 珮 (jade ornament)
倡娼  koseki: different words today
吾唔  koseki: different characters
咳孩  koseki: 咳 (cough) and 孩 (child)
咽嚥  koseki: 咽 (throat) and 嚥 (swallow)
培碚  koseki: different characters
嫐娚  koseki: different characters (うわなり, めおと)
嬲嫐  koseki: different characters
帥師  koseki: 帥 (commander) and 師 (teacher)
常裳  koseki: 常 (always) and 裳 (skirt)
弔吊  koseki: 弔 (mourn) and 吊 (hang) are different words today
恫慟  koseki: 恫 (threaten) and 慟 (grieve)
敖遨  koseki: different characters
敝敞  koseki: different characters
柬揀  koseki: different characters
榕穃  koseki: different characters
檗蘗  koseki: 蘗 (ひこばえ) is its own word
歌哥  koseki: 哥 is its own character (兄)
瀏嚠  koseki: different characters
牴羝  koseki: 牴 (butt) and 羝 (ram)
狂抂  koseki: different characters
稿藁  koseki: 稿 (draft) and 藁 (straw)
碼瑪  koseki: 碼 (yard) and 瑪 (agate)
粥鬻  koseki: 鬻 (ひさぐ, sell) is its own word
累縲  koseki: different characters
纃緕  koseki: different characters
肉宍  koseki: 宍 is a name character (宍戸, 宍道)
蓋乢  koseki: different characters
襌褝  koseki: different characters
負屓  koseki: 屓 is of 贔屓
錏鐚  koseki: 錏 (しころ) and 鐚 (びた)
鑠爍  koseki: different characters
閣擱  koseki: 閣 (tower) and 擱 (put down)
陽昜  koseki: 昜 is a phonetic component
香皀  koseki: different characters
卓桌  koseki: 桌 (table) is its own character in Chinese
笑关  koseki: 关 is the Chinese simplified form of 關 (関)
瞠瞪  koseki: 瞪 is its own character in Chinese
笈极  koseki: 极 is the Chinese simplified form of 極
猛勐  koseki: different characters
潟泻  koseki: 泻 is the Chinese simplified form of 瀉; 潟 is of 新潟
罵嗎  koseki: 嗎 is its own character in Chinese
梔桅  koseki: 梔 (gardenia) and 桅 (mast)
案桉  koseki: 桉 (eucalyptus) is its own character
坏坯  koseki: 坯 (unfired ware) and 坏, the Chinese simplified form of 壞
埆确  koseki: 确 is the Chinese simplified form of 確
殺煞  koseki: 煞 is its own character
汎汍  koseki: different characters
煬烊  koseki: different characters
友犮  koseki: different characters
癰臃  koseki: 臃 is of 臃腫, its own word
籵蹯  koseki: different characters
角甪  koseki: 甪 is its own character
鐺鏜  koseki: different characters
嚮蠁  koseki: different characters
"""

# Characters that must never share a class: a check of the tables and of
# EXCLUDED_PAIRS, not a rule applied. Each line is one set.
NEVER_JOINED = """
崎埼
坂阪
土士
斎斉
己已巳
未末
冶治
析折
祟崇
著着
界堺
栅棚
柿杮
潟瀉
関笑
極笈
確埆
乙隠
以已
売殻
某梅
添忝
"""

# Canonical forms chosen by hand where the order above would choose another
# member of the class.
CANONICAL_CHOICES = """
鬱  a joyo kanji since 2010, before level 1 欝
籠  a joyo kanji since 2010, before level 1 篭
惧  a joyo kanji since 2010 (危惧), before 懼
踪  a joyo kanji since 2010 (失踪), before 蹤
苺  a jinmei kanji, before 莓
枡  表外漢字字体表's standard form, and as common as level 1 桝
舵  the common form, before 柁
"""

# The twelve CJK compatibility ideographs that NFKC leaves as they are.
UNIFIED_COMPATIBILITY = {0xFA0E, 0xFA0F, 0xFA11, 0xFA13, 0xFA14, 0xFA1F,
                         0xFA21, 0xFA23, 0xFA24, 0xFA27, 0xFA28, 0xFA29}


def cp932(c):
    try:
        return c.encode("cp932")
    except UnicodeEncodeError:
        return None


def jis0208_level(c):
    """1 or 2 for a JIS X 0208 kanji, 0 for other JIS X 0208 characters, None
    when JIS X 0208 does not hold `c` (CP932's NEC and IBM extensions are
    not JIS X 0208)."""
    b = cp932(c)
    if b is None or len(b) != 2:
        return None
    code = b[0] << 8 | b[1]
    if 0x889F <= code <= 0x9872:
        return 1
    if 0x989F <= code <= 0xEAA4:
        return 2
    if 0x8140 <= code <= 0x84FC:
        return 0
    return None


def in_japanese_sets(c):
    """JIS X 0208, CP932 (with the NEC and IBM extensions) or JIS X 0213."""
    if cp932(c) is not None:
        return True
    try:
        c.encode("shift_jis_2004")
        return True
    except UnicodeEncodeError:
        return False


def is_kanji(c):
    o = ord(c)
    return (0x3400 <= o <= 0x4DBF or 0x4E00 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF
            or 0x20000 <= o <= 0x3FFFF)


def strip_selectors(s):
    return "".join(c for c in s if not (0xFE00 <= ord(c) <= 0xFE0F or 0xE0100 <= ord(c) <= 0xE01EF))


def nfkc_char(c):
    """`c` after NFKC when that is one kanji, else None."""
    n = unicodedata.normalize("NFKC", c)
    return n if len(n) == 1 and is_kanji(n) else None


def parse_excluded():
    pairs = {}
    for line in EXCLUDED_PAIRS.strip().splitlines():
        chars, why = line.split(None, 1)
        assert len(chars) == 2, line
        pairs[frozenset(chars)] = why.strip()
    return pairs


class Classes:
    """Union-find over characters."""

    def __init__(self):
        self.parent = {}

    def find(self, c):
        self.parent.setdefault(c, c)
        while self.parent[c] != c:
            self.parent[c] = self.parent[self.parent[c]]
            c = self.parent[c]
        return c

    def join(self, a, b):
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def groups(self):
        out = {}
        for c in self.parent:
            out.setdefault(self.find(c), set()).add(c)
        return list(out.values())


def read_relations(root):
    """(a, b, source, old) for every relation read; `old` is the old form or None."""
    rels = []
    for name, relation, old_side in SOURCES:
        with open(os.path.join(root, name), encoding="utf-8") as f:
            for line in f:
                fields = line.rstrip("\n").split(",")
                if len(fields) < 3 or fields[1] != relation:
                    continue
                a, b = strip_selectors(fields[0]), strip_selectors(fields[2])
                if len(a) != 1 or len(b) != 1:
                    continue  # a description sequence, not a character
                old = {"A": a, "B": b}.get(old_side)
                rels.append((a, b, name, old))
    name, relation, wanted = JISX0213
    with open(os.path.join(root, name), encoding="utf-8") as f:
        found = {f"{a}{b}" for a, rel, b, *_ in (l.rstrip("\n").split(",") + ["", ""] for l in f)
                 if rel == relation}
    for pair in wanted:
        if pair not in found:
            sys.exit(f"{name} has no pair {pair}")
        rels.append((pair[0], pair[1], name, None))
    with open(os.path.join(root, OLD_STYLE), encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            fields = line.rstrip("\n").split("\t")
            new = strip_selectors(fields[0])
            for old in fields[1:3]:
                old = strip_selectors(old)
                if len(new) == 1 and len(old) == 1 and old != new:
                    rels.append((new, old, OLD_STYLE, old))
    return rels


def build(root):
    excluded = parse_excluded()
    excluded_seen = set()
    classes = Classes()
    old_forms = set()  # named as an old form by a directed table
    proper = set()  # koseki proper forms
    koseki_variant = set()
    for a, b, name, old in read_relations(root):
        na, nb = nfkc_char(a), nfkc_char(b)
        if na is None or nb is None or na == nb:
            continue
        if (name == "koseki-variants.txt" and not (in_japanese_sets(na) and in_japanese_sets(nb))
                and frozenset((na, nb)) not in KOSEKI_OUTSIDE_SETS):
            continue  # a variant no Japanese character set holds
        key = frozenset((na, nb))
        if key in excluded:
            excluded_seen.add(key)
            continue
        if old is not None:
            old_forms.add(nfkc_char(old))
        if name == "koseki-variants.txt":
            proper.add(na)
            koseki_variant.add(nb)
        classes.join(na, nb)
    unused = [p for p in excluded if p not in excluded_seen]
    if unused:
        sys.exit("EXCLUDED_PAIRS names pairs no source has: " + " ".join("".join(sorted(p)) for p in unused))

    groups = classes.groups()
    for line in NEVER_JOINED.split():
        roots = {}
        for c in line:
            r = classes.find(c)
            if r in roots:
                sys.exit(f"NEVER_JOINED: {roots[r]} and {c} are in one class")
            roots[r] = c

    def rank(c):
        level = jis0208_level(c)
        return (
            level is None,  # JIS X 0208 first
            c in old_forms,  # not an old form
            level != 1,  # level 1 (the common kanji) before level 2
            not (c in proper and c not in koseki_variant),  # a koseki proper form
            ord(c),
        )

    chosen = {line.split()[0] for line in CANONICAL_CHOICES.strip().splitlines()}
    choice = {}
    for g in groups:
        canonical = min(g, key=rank)
        forced = chosen & g
        if forced:
            assert len(forced) == 1, forced
            canonical = forced.pop()
        choice[frozenset(g)] = canonical
    if not chosen <= set().union(*groups):
        sys.exit("CANONICAL_CHOICES names characters of no class")
    return groups, choice


def describe(c):
    level = jis0208_level(c)
    where = {1: "JIS1", 2: "JIS2", 0: "JIS"}.get(level)
    if where is None:
        where = "CP932" if cp932(c) else ("X0213" if in_japanese_sets(c) else "-")
    return f"{c}(U+{ord(c):04X} {where})"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("cjkvi", help="a checkout of cjkvi-variants")
    ap.add_argument("--commit", help="the checkout's commit, for the header (default: git's HEAD)")
    ap.add_argument("--classes", action="store_true", help="print every class for review")
    args = ap.parse_args()
    groups, choice = build(args.cjkvi)

    if args.classes:
        for g in sorted(groups, key=lambda g: ord(choice[frozenset(g)])):
            canonical = choice[frozenset(g)]
            rest = sorted(g - {canonical}, key=ord)
            print(describe(canonical), "<-", " ".join(describe(c) for c in rest))
        return

    pairs = []
    for g in groups:
        canonical = choice[frozenset(g)]
        for c in g:
            if c != canonical:
                pairs.append((c, canonical))
    pairs.sort(key=lambda p: ord(p[0]))
    out = sys.stdout
    commit = args.commit
    if commit is None:
        try:
            commit = subprocess.run(["git", "-C", args.cjkvi, "rev-parse", "HEAD"], check=True,
                                    capture_output=True, text=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            sys.exit("not a git checkout: give its commit with --commit")
    out.write(HEADER.format(commit=commit, count=len(pairs)))
    for variant, canonical in pairs:
        out.write(f"{variant}\t{canonical}\t# U+{ord(variant):04X} -> U+{ord(canonical):04X}\n")


HEADER = """\
# Variant kanji (異体字) folded for search: variant<TAB>canonical<TAB># comment
#
# Generated by charset/data/make_kanji_variants.py from cjkvi-variants
# (https://github.com/cjkvi/cjkvi-variants), commit {commit},
# files joyo-variants.txt, jinmei-variants.txt, hyogai-variants.txt,
# jp-old-style.txt, ucs-scs.txt, koseki-variants.txt and three pairs of
# jisx0213-variants.txt, with the exclusions and the choice of canonical
# forms the script lists (docs/kanji-variants.md).
# Copyright (c) 2014 CJKVI Database; the variant data of the Kanji Database
# Project are under the MIT License: charset/data/LICENSE.cjkvi-variants.
# Edit the script, not this file. Pairs: {count}.
"""

if __name__ == "__main__":
    main()
