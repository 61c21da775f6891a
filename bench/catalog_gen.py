#!/usr/bin/env python3
"""Synthetic catalogue and query sets for bench/search_bench, and its Groonga side.

  catalog_gen.py generate --records N --out DIR [--seed S]
      DIR/catalog.tsv   one row per copy: id isbn title title_kana author
                        author_kana publisher publisher_kana year ndc lang subjects
                        barcode branch call_number (header line first; several
                        authors separated by " ; ", a role as 名前（訳）)
      DIR/queries.tsv   class text title author year_from year_to (300 a class)
      DIR/gen.json      what was generated (counts, sources)
  catalog_gen.py groonga-load DIR            Groonga commands on stdout: schema,
                                             load of catalog.tsv, index columns
  catalog_gen.py groonga-run DIR PORT OUT    runs queries.tsv against `groonga -s
                                             --protocol http` on 127.0.0.1:PORT
  catalog_gen.py compare SHIORI.json GROONGA.json   the side-by-side tables

Material: real names and readings from Debian's enamdict (surnames (s), given
names (g, m, f), place names (p) for publishers), title words with readings
from Debian's edict (common words, marked (P), weighted Zipf-like; a head of
very common title words such as 猫, 日本, 本 weighted most). Readings are
katakana. About 70% of records have a valid ISBN-13 (publisher prefix per
publisher, check digit computed). Everything is drawn from one seeded
random.Random, so the same --seed and --records give the same files.
"""
import argparse
import bisect
import collections
import http.client
import itertools
import json
import math
import os
import random
import statistics
import sys
import time
import urllib.parse

EDICT = "/usr/share/edict/edict"
ENAMDICT = "/usr/share/edict/enamdict"


# ---------------------------------------------------------------- text helpers

def kata(s):
    return "".join(chr(ord(c) + 0x60) if 0x3041 <= ord(c) <= 0x3096 else c for c in s)


def hira(s):
    return "".join(chr(ord(c) - 0x60) if 0x30A1 <= ord(c) <= 0x30F6 else c for c in s)


def is_kanji(c):
    o = ord(c)
    return 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or c in "々〆"


def is_kana(c):
    o = ord(c)
    return 0x3041 <= o <= 0x3096 or 0x30A1 <= o <= 0x30FA or c == "ー"


def is_cjk(c):
    return is_kanji(c) or is_kana(c)


def cjk_runs(s):
    run = []
    for c in s:
        if is_cjk(c):
            run.append(c)
        else:
            if run:
                yield "".join(run)
            run = []
    if run:
        yield "".join(run)


def latin_words(s):
    w = []
    for c in s + " ":
        if c.isascii() and c.isalnum():
            w.append(c)
        else:
            if w:
                yield "".join(w)
            w = []


def isbn13_check(d12):
    s = sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(d12))
    return str((10 - s % 10) % 10)


def isbn10_check(d9):
    s = sum(int(c) * (10 - i) for i, c in enumerate(d9))
    r = (11 - s % 11) % 11
    return "X" if r == 10 else str(r)


def read_dict(path):
    with open(path, "rb") as f:
        data = f.read().decode("euc-jp", errors="replace")
    for line in data.splitlines():
        if not line or line.startswith("\u3000"):
            continue
        head, _, rest = line.partition(" /")
        if "[" in head:
            word, _, reading = head.partition(" [")
            reading = reading.rstrip("]")
        else:
            word, reading = head.strip(), head.strip()
        yield word.strip(), reading.strip(), rest


class Weighted:
    """Items with weights; draw() is O(log n)."""

    def __init__(self, items, weights):
        self.items = list(items)
        self.cum = list(itertools.accumulate(weights))

    def draw(self, rng):
        return self.items[bisect.bisect_right(self.cum, rng.random() * self.cum[-1])]


def zipf(n, s=1.0, offset=2.0):
    return [1.0 / (i + offset) ** s for i in range(n)]


def mix(rng, parts):
    """parts: [(share, Weighted)]; draws from one part by share."""
    r = rng.random()
    for share, w in parts:
        if r < share:
            return w.draw(rng)
        r -= share
    return parts[-1][1].draw(rng)


# ---------------------------------------------------------------- material

def pairs(csv):
    out = []
    for item in csv.split(","):
        w, _, r = item.partition(" ")
        out.append((w, r))
    return out


HEAD_SURNAMES = (
    "佐藤 サトウ,鈴木 スズキ,高橋 タカハシ,田中 タナカ,伊藤 イトウ,渡辺 ワタナベ,山本 ヤマモト,"
    "中村 ナカムラ,小林 コバヤシ,加藤 カトウ,吉田 ヨシダ,山田 ヤマダ,佐々木 ササキ,山口 ヤマグチ,"
    "松本 マツモト,井上 イノウエ,木村 キムラ,林 ハヤシ,斎藤 サイトウ,清水 シミズ,山崎 ヤマザキ,森 モリ,"
    "池田 イケダ,橋本 ハシモト,阿部 アベ,石川 イシカワ,山下 ヤマシタ,中島 ナカジマ,石井 イシイ,小川 オガワ,"
    "前田 マエダ,岡田 オカダ,長谷川 ハセガワ,藤田 フジタ,後藤 ゴトウ,近藤 コンドウ,村上 ムラカミ,遠藤 エンドウ,"
    "青木 アオキ,坂本 サカモト,斉藤 サイトウ,福田 フクダ,太田 オオタ,西村 ニシムラ,藤井 フジイ,金子 カネコ,"
    "岡本 オカモト,藤原 フジワラ,中野 ナカノ,三浦 ミウラ,原田 ハラダ,中川 ナカガワ,松田 マツダ,竹内 タケウチ,"
    "小野 オノ,田村 タムラ,中山 ナカヤマ,和田 ワダ,石田 イシダ,森田 モリタ,上田 ウエダ,原 ハラ,内田 ウチダ,"
    "柴田 シバタ,酒井 サカイ,宮崎 ミヤザキ,横山 ヨコヤマ,高木 タカギ,安藤 アンドウ,宮本 ミヤモト,大野 オオノ,"
    "小島 コジマ,谷口 タニグチ,今井 イマイ,工藤 クドウ,高田 タカダ,増田 マスダ,丸山 マルヤマ,杉山 スギヤマ,"
    "村田 ムラタ,大塚 オオツカ,新井 アライ,小山 コヤマ,平野 ヒラノ,藤本 フジモト,河野 コウノ,上野 ウエノ,"
    "野口 ノグチ,武田 タケダ,松井 マツイ,千葉 チバ,岩崎 イワサキ,菅原 スガワラ,木下 キノシタ,久保 クボ,"
    "佐野 サノ,野村 ノムラ,松尾 マツオ,夏目 ナツメ,宮沢 ミヤザワ,芥川 アクタガワ,太宰 ダザイ,川端 カワバタ")
HEAD_GIVEN = (
    "太郎 タロウ,一郎 イチロウ,健一 ケンイチ,誠 マコト,浩 ヒロシ,博 ヒロシ,隆 タカシ,修 オサム,健 ケン,"
    "大輔 ダイスケ,翔太 ショウタ,拓也 タクヤ,直樹 ナオキ,和也 カズヤ,哲也 テツヤ,聡 サトシ,学 マナブ,"
    "明 アキラ,清 キヨシ,茂 シゲル,洋子 ヨウコ,恵子 ケイコ,京子 キョウコ,幸子 サチコ,和子 カズコ,裕子 ユウコ,"
    "美香 ミカ,陽子 ヨウコ,真由美 マユミ,由美子 ユミコ,久美子 クミコ,智子 トモコ,直子 ナオコ,愛 アイ,"
    "美咲 ミサキ,さくら サクラ,花子 ハナコ,春樹 ハルキ,賢治 ケンジ,康成 ヤスナリ,漱石 ソウセキ,治 オサム")
FOREIGN_AUTHORS = (
    "ドストエフスキー,トルストイ,シェイクスピア,ディケンズ,ヘミングウェイ,カフカ,チェーホフ,"
    "アガサ・クリスティー,コナン・ドイル,モンゴメリ,ルイス・キャロル,アンデルセン,グリム,"
    "サン＝テグジュペリ,ミヒャエル・エンデ,ジェイ・ケイ・ローリング,スティーヴン・キング,カズオ・イシグロ,"
    "オースティン,ブロンテ,ヘッセ,カミュ,サリンジャー,フィッツジェラルド,ポー,ヴェルヌ")
WESTERN_NAMES = (
    "Charles Dickens,Jane Austen,Mark Twain,Virginia Woolf,George Orwell,Ernest Hemingway,"
    "Agatha Christie,Arthur Conan Doyle,Lewis Carroll,Oscar Wilde,Franz Kafka,Leo Tolstoy,"
    "John Smith,Mary Johnson,David Brown,Susan Miller,Robert Wilson,Linda Taylor,James Anderson,"
    "Patricia Thomas,Michael Jackson,Barbara White,William Harris,Elizabeth Martin")
HEAD_TITLE_WORDS = (
    "猫 ネコ,日本 ニホン,本 ホン,世界 セカイ,歴史 レキシ,物語 モノガタリ,子ども コドモ,日 ヒ,人 ヒト,"
    "東京 トウキョウ,料理 リョウリ,入門 ニュウモン,人生 ジンセイ,時代 ジダイ,家族 カゾク,戦争 センソウ,"
    "心 ココロ,花 ハナ,夜 ヨル,空 ソラ,海 ウミ,山 ヤマ,旅 タビ,恋 コイ,夢 ユメ,犬 イヌ,森 モリ,星 ホシ,"
    "月 ツキ,春 ハル,夏 ナツ,秋 アキ,冬 フユ,京都 キョウト,科学 カガク,経済 ケイザイ,社会 シャカイ,"
    "文化 ブンカ,教育 キョウイク,健康 ケンコウ,絵本 エホン,図鑑 ズカン,研究 ケンキュウ,事典 ジテン,"
    "言葉 コトバ,生活 セイカツ,仕事 シゴト,未来 ミライ,少年 ショウネン,少女 ショウジョ,魔法 マホウ,"
    "学校 ガッコウ,先生 センセイ,病気 ビョウキ,音楽 オンガク,写真 シャシン,自然 シゼン,動物 ドウブツ,"
    "宇宙 ウチュウ,殺人 サツジン,事件 ジケン,謎 ナゾ,手紙 テガミ,庭 ニワ,街 マチ,町 マチ,村 ムラ,"
    "川 カワ,風 カゼ,雨 アメ,雪 ユキ,光 ヒカリ,大人 オトナ,女 オンナ,男 オトコ,お金 オカネ,暮らし クラシ")
SUFFIXES = (
    "入門 ニュウモン,物語 モノガタリ,の歴史 ノ レキシ,事典 ジテン,図鑑 ズカン,の本 ノ ホン,"
    "のひみつ ノ ヒミツ,講座 コウザ,ガイド ガイド,ハンドブック ハンドブック,読本 トクホン,全集 ゼンシュウ,"
    "研究 ケンキュウ,論 ロン,史 シ,日記 ニッキ,紀行 キコウ,のすべて ノ スベテ,がわかる本 ガ ワカル ホン,"
    "超入門 チョウニュウモン,大全 タイゼン,の話 ノ ハナシ,の時代 ノ ジダイ,と私 ト ワタシ")
# Latin words in Japanese titles, with the readings a cataloguer gives them.
TECH_WORDS = dict(pairs(
    "Python パイソン,Excel エクセル,Java ジャバ,Linux リナックス,Windows ウィンドウズ,SQL エスキューエル,"
    "Web ウェブ,AI エーアイ,iPhone アイフォーン,Android アンドロイド,JavaScript ジャバスクリプト,"
    "HTML エイチティーエムエル,CSS シーエスエス,Word ワード,PowerPoint パワーポイント,Access アクセス,"
    "Photoshop フォトショップ,Ruby ルビー,PHP ピーエイチピー,Docker ドッカー,AWS エーダブリューエス,"
    "Git ギット,Unix ユニックス,DX ディーエックス,IT アイティー,NHK エヌエイチケー,JR ジェイアール,"
    "SDGs エスディージーズ,TOEIC トーイック,DVD ディーブイディー,CD シーディー,Mac マック,"
    "Google グーグル,YouTube ユーチューブ,SNS エスエヌエス,LINE ライン,ChatGPT チャットジーピーティー"))
TECH_LIST = sorted(TECH_WORDS)
PUBLISHERS = (
    "岩波書店 イワナミ ショテン 00,講談社 コウダンシャ 06,新潮社 シンチョウシャ 10,"
    "角川書店 カドカワ ショテン 04,集英社 シュウエイシャ 08,小学館 ショウガクカン 09,"
    "文藝春秋 ブンゲイ シュンジュウ 16,中央公論新社 チュウオウ コウロン シンシャ 12,"
    "筑摩書房 チクマ ショボウ 480,河出書房新社 カワデ ショボウ シンシャ 309,光文社 コウブンシャ 334,"
    "早川書房 ハヤカワ ショボウ 15,東京創元社 トウキョウ ソウゲンシャ 488,ポプラ社 ポプラシャ 591,"
    "偕成社 カイセイシャ 03,福音館書店 フクインカン ショテン 8340,平凡社 ヘイボンシャ 582,"
    "有斐閣 ユウヒカク 641,朝日新聞出版 アサヒ シンブン シュッパン 02,NHK出版 エヌエイチケー シュッパン 14,"
    "PHP研究所 ピーエイチピー ケンキュウジョ 569,幻冬舎 ゲントウシャ 344,宝島社 タカラジマシャ 8002,"
    "ダイヤモンド社 ダイヤモンドシャ 478,東洋経済新報社 トウヨウ ケイザイ シンポウシャ 492,"
    "日経BP ニッケイ ビーピー 8222,技術評論社 ギジュツ ヒョウロンシャ 7741,学研プラス ガッケン プラス 05,"
    "白水社 ハクスイシャ 560,みすず書房 ミスズ ショボウ 622,吉川弘文館 ヨシカワ コウブンカン 642,"
    "主婦の友社 シュフノトモシャ 07,成美堂出版 セイビドウ シュッパン 415,永岡書店 ナガオカ ショテン 522,"
    "岩崎書店 イワサキ ショテン 265,童心社 ドウシンシャ 494,理論社 リロンシャ 652,"
    "日本図書館協会 ニホン トショカン キョウカイ 8204,丸善出版 マルゼン シュッパン 621")
PUB_SUFFIX = ("出版 シュッパン,書房 ショボウ,書店 ショテン,社 シャ,出版社 シュッパンシャ,"
              "新聞社 シンブンシャ,文庫 ブンコ,印刷 インサツ")
NDC = (
    "913.6 日本文学 ; 小説,913.6 日本文学 ; 小説,913.6 小説,933.7 英米文学 ; 小説,210.1 日本史,"
    "596 料理,489 動物 ; 哺乳類,007.6 情報処理 ; コンピュータ,369 社会福祉,498 健康 ; 医学,"
    "783 スポーツ,726.6 絵本,726.1 漫画,291 日本 ; 地理 ; 紀行,332 経済,159 人生訓,480 動物学,"
    "440 天文学 ; 宇宙,375 教育,911.1 和歌,914.6 随筆,367 家族 ; 女性,519 環境問題,590 家政学 ; 生活,"
    "748 写真集,760 音楽,810 日本語,830 英語,290 地理 ; 紀行,230 西洋史,470 植物学,645 ペット,"
    "336 経営,317 行政,601 地域開発,910.2 日本文学 ; 評論,361 社会学,493 医学 ; 病気,518 都市計画")
BRANCHES = (("chuo", 0.5), ("takaono", 0.25), ("noda", 0.25))
PARTICLE_READ = {"の": "ノ", "と": "ト", "は": "ワ", "を": "オ", "に": "ニ", "が": "ガ", "へ": "エ"}


def load_material(rng):
    """Names, places and words from enamdict and edict."""
    surnames, given, places, romaji = [], [], [], {}
    seen_s, seen_g, seen_p = set(), set(), set()
    for word, reading, rest in read_dict(ENAMDICT):
        tags = rest[1:rest.find(")")].split(",") if rest.startswith("(") else []
        if not word or not all(is_cjk(c) for c in word) or not all(is_kana(c) for c in reading):
            continue
        if not any(is_kanji(c) for c in word) or len(word) > 3:
            continue
        gloss = rest[rest.find(")") + 1:].split("/")[0].strip()
        if gloss.isascii() and gloss.isalpha():
            romaji.setdefault((word, reading), gloss)
        if "s" in tags and word not in seen_s:
            seen_s.add(word)
            surnames.append((word, kata(reading)))
        if ("g" in tags or "m" in tags or "f" in tags) and word not in seen_g:
            seen_g.add(word)
            given.append((word, kata(reading)))
        if "p" in tags and 2 <= len(word) <= 3 and word not in seen_p:
            seen_p.add(word)
            places.append((word, kata(reading)))
    common, rare, english = {}, {}, []
    for word, reading, rest in read_dict(EDICT):
        if not word or len(word) > 6 or not all(is_cjk(c) for c in word):
            continue
        if not all(is_kana(c) for c in reading) or "(n" not in rest:
            continue
        if "(P)" in rest:
            common.setdefault(word, kata(reading))
            g = rest[rest.find(")") + 1:].split("/")[0].strip()
            if g.isascii() and g.isalpha() and 3 <= len(g) <= 12:
                english.append(g.lower())
        else:
            rare.setdefault(word, kata(reading))
    for w in common:
        rare.pop(w, None)
    # Stable orders, then seeded shuffles: the Zipf rank is random but fixed.
    for lst in (surnames, given, places):
        lst.sort()
        rng.shuffle(lst)
    common = sorted(common.items())
    rng.shuffle(common)
    rare = sorted(rare.items())
    rng.shuffle(rare)
    english = sorted(set(english))
    rng.shuffle(english)
    return dict(surnames=surnames, given=given, places=places, romaji=romaji,
                common=common, rare=rare, english=english)


# ---------------------------------------------------------------- generation

class Generator:
    def __init__(self, n, seed):
        self.n = n
        self.rng = rng = random.Random(seed)
        m = load_material(rng)
        self.m = m
        head_s = pairs(HEAD_SURNAMES)
        self.surname = [(0.35, Weighted(head_s, zipf(len(head_s), 1.0, 1.0))),
                        (0.65, Weighted(m["surnames"], zipf(len(m["surnames"]), 1.1, 20)))]
        head_g = pairs(HEAD_GIVEN)
        self.given = [(0.25, Weighted(head_g, [1] * len(head_g))),
                      (0.75, Weighted(m["given"], zipf(len(m["given"]), 0.9, 20)))]
        head_w = pairs(HEAD_TITLE_WORDS)
        self.word = [(0.30, Weighted(head_w, zipf(len(head_w), 0.8, 1.0))),
                     (0.60, Weighted(m["common"], zipf(len(m["common"]), 0.9, 10))),
                     (0.10, Weighted(m["rare"], [1] * len(m["rare"])))]
        self.suffix = pairs(SUFFIXES)
        self.english = Weighted(m["english"], zipf(len(m["english"]), 0.9, 5))
        # Authors: a pool drawn once, then used Zipf-like (prolific authors).
        pool, seen = [], set()
        size = max(3000, n // 4)
        while len(pool) < size:
            s, sr = mix(rng, self.surname)
            g, gr = mix(rng, self.given)
            if (s, g) in seen:
                continue
            seen.add((s, g))
            rom = (self.m["romaji"].get((g, hira(gr)), "") + " " +
                   self.m["romaji"].get((s, hira(sr)), "")).strip()
            pool.append((s + g, sr + " " + gr, sr, rom))
        self.authors = Weighted(pool, zipf(len(pool), 0.8, 10))
        self.foreign = FOREIGN_AUTHORS.split(",")
        self.western = WESTERN_NAMES.split(",")
        # Publishers: the big houses first, then small ones named after places.
        pubs = []
        for p in PUBLISHERS.split(","):
            w, rest = p.split(" ", 1)
            r, code = rest.rsplit(" ", 1)
            pubs.append((w, r, code))
        used = {c for _, _, c in pubs}
        sfx = pairs(PUB_SUFFIX)
        for place, pr in m["places"][:3000]:
            s, sr = rng.choice(sfx)
            while True:
                code = str(rng.randrange(10 ** 3, 10 ** rng.choice((4, 5)))).zfill(4)
                if code not in used and not any(code.startswith(u) or u.startswith(code)
                                                for u in ("00", "02", "03", "04", "05", "06", "07",
                                                          "08", "09", "10", "12", "14", "15", "16")):
                    break
            used.add(code)
            pubs.append((place + s, pr + " " + sr, code))
        self.pubs = Weighted(pubs, [3.0 / (i + 1) if i < 40 else 0.005 for i in range(len(pubs))])
        self.title_no = collections.Counter()
        self.isbns = set()
        self.ndc = [tuple(x.split(" ", 1)) for x in NDC.split(",")]
        self.barcode = 3000000000

    def word_draw(self):
        return mix(self.rng, self.word)

    def title(self, lang):
        """(title, title_kana, words[(surface, reading)], latin words)."""
        rng = self.rng
        if lang == "eng":
            a, b = self.english.draw(rng), self.english.draw(rng)
            t = rng.choice(("The {A} of {B}", "{A} and {B}", "A History of {A}", "Introduction to {A}",
                            "{A}", "The {A}", "{A} in {B}", "Essays on {A}"))
            title = t.format(A=a.capitalize(), B=b.capitalize())
            return title, "", [], list(latin_words(title))
        words, parts, reads = [], [], []

        def w():
            s, r = self.word_draw()
            words.append((s, r))
            parts.append(s)
            reads.append(r)

        def lit(s, r):
            parts.append(s)
            reads.append(r)

        k = rng.random()
        latin = []
        if k < 0.18:
            w()
        elif k < 0.36:
            w(); lit("の", "ノ"); w()
        elif k < 0.44:
            w(); lit("と", "ト"); w()
        elif k < 0.50:
            w(); lit("の", "ノ"); w(); lit("と", "ト"); w()
        elif k < 0.68:
            w()
            s, r = rng.choice(self.suffix)
            lit(s, r)
        elif k < 0.74:
            lit("はじめての", "ハジメテ ノ"); w()
        elif k < 0.80:
            w(); lit("は", "ワ"); w()
        elif k < 0.85:
            tw = rng.choice(TECH_LIST)
            latin.append(tw)
            lit(tw, TECH_WORDS[tw])
            s, r = rng.choice(self.suffix[:12])
            lit(s, r)
        elif k < 0.92:
            w(); w()
        else:
            w(); lit("の", "ノ"); w(); lit("の", "ノ"); w()
        title = "".join(parts)
        if rng.random() < 0.05:  # a subtitle
            s, r = self.word_draw()
            words.append((s, r))
            tail, tail_r = rng.choice((("すすめ", "ススメ"), ("ために", "タメ ニ"), ("こと", "コト"), ("話", "ハナシ")))
            title += " : " + s + "の" + tail
            reads.append(r + " ノ " + tail_r)
        return title, " ".join(reads), words, latin

    def isbn(self, code):
        digits = 8 - len(code)
        for _ in range(3):
            self.title_no[code] += 1
            no = self.title_no[code]
            if no >= 10 ** digits:
                return ""
            stem = "9784" + code + str(no).zfill(digits)
            if stem not in self.isbns:
                self.isbns.add(stem)
                return "978-4-%s-%s-%s" % (code, str(no).zfill(digits), isbn13_check(stem))
        return ""

    def record(self, i):
        rng = self.rng
        lang = "eng" if rng.random() < 0.04 else "jpn"
        title, title_kana, words, latin = self.title(lang)
        volume = ""
        if rng.random() < 0.08:
            volume = rng.choice(("上", "下", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"))
        authors, author_words = [], []
        a = rng.random()
        if lang == "eng":
            name = rng.choice(self.western) if rng.random() < 0.5 else (self.authors.draw(rng)[3] or "Anonymous")
            authors.append((name, ""))
        elif a < 0.03:
            pass  # no author: classics, collective works
        elif a < 0.06:
            f = rng.choice(self.foreign)
            authors.append((f, hira(f).replace("・", " ").replace("＝", " ")))
            name, kana, sr, _ = self.authors.draw(rng)
            authors.append((name + "（訳）", kana))
            author_words.append((name, kana, sr))
        else:
            name, kana, sr, _ = self.authors.draw(rng)
            authors.append((name, kana))
            author_words.append((name, kana, sr))
            if rng.random() < 0.08:
                name2, kana2, sr2, _ = self.authors.draw(rng)
                authors.append((name2 + rng.choice(("（絵）", "（編）", "（監修）", "")), kana2))
        # Foreign names' readings are katakana already; fix the one above.
        authors = [(n, kata(k)) for n, k in authors]
        pub, pub_kana, code = self.pubs.draw(rng)
        # Years: newer records mostly newer books, with spread.
        frac = i / max(1, self.n - 1)
        year = int(round(1968 + 56 * frac ** 0.6 + rng.gauss(0, 8)))
        if year > 2024:
            year = 2024 - (year - 2024) % 30
        year = max(1900, year)
        isbn = ""
        if rng.random() < (0.80 if year >= 1981 else 0.15):
            isbn = self.isbn(code)
        ndc, subj = rng.choice(self.ndc)
        if words and rng.random() < 0.3:
            subj += " ; " + words[0][0]
        if ndc.startswith("913") and rng.random() < 0.5:
            subj = ""
        ncopies = 1 if rng.random() < 0.6 else (2 if rng.random() < 0.75 else 3)
        initial = ((authors[0][1] if authors else "") or title_kana or title)[:1]
        copies = []
        for _ in range(ncopies):
            r = rng.random()
            branch = BRANCHES[0][0] if r < 0.5 else BRANCHES[1][0] if r < 0.75 else BRANCHES[2][0]
            self.barcode += 1
            copies.append((str(self.barcode), branch, ndc.split(".")[0] + " " + initial))
        rec = dict(id="B%07d" % (i + 1), isbn=isbn, title=title + ("" if not volume else " " + volume),
                   title_kana=title_kana, author=" ; ".join(n for n, _ in authors),
                   author_kana=" ; ".join(k for _, k in authors), publisher=pub, publisher_kana=pub_kana,
                   year=year, ndc=ndc, lang=lang, subjects=subj, copies=copies)
        return rec, words, author_words, latin


COLUMNS = ("id isbn title title_kana author author_kana publisher publisher_kana year ndc lang "
           "subjects barcode branch call_number").split()
QUERIES_PER_CLASS = 300


def generate(args):
    os.makedirs(args.out, exist_ok=True)
    t0 = time.time()
    g = Generator(args.records, args.seed)
    qrng = random.Random(args.seed + 1)
    # Query sources: a reservoir of records per need, drawn uniformly.
    k = QUERIES_PER_CLASS * 3
    res = collections.defaultdict(list)
    seen = collections.Counter()

    def offer(key, item):
        seen[key] += 1
        if len(res[key]) < k:
            res[key].append(item)
        else:
            j = qrng.randrange(seen[key])
            if j < k:
                res[key][j] = item

    n_isbn = n_rows = raw = 0
    with open(os.path.join(args.out, "catalog.tsv"), "w", encoding="utf-8") as out:
        out.write("\t".join(COLUMNS) + "\n")
        for i in range(args.records):
            rec, words, author_words, latin = g.record(i)
            n_isbn += bool(rec["isbn"])
            for bc, br, cn in rec["copies"]:
                row = [rec[c] for c in COLUMNS[:12]] + [bc, br, cn]
                out.write("\t".join(str(x) for x in row) + "\n")
                n_rows += 1
            raw += sum(len(str(rec[c]).encode()) for c in COLUMNS[1:12])
            offer("title", rec["title"])
            if words:
                offer("word", (words, rec["year"], author_words))
            if author_words:
                offer("author", author_words[0])
            if rec["isbn"]:
                offer("isbn", rec["isbn"])
            if latin:
                offer("latin", latin)
    # The queries, drawn from the records just written.
    queries = []

    def add(cls, text="", title="", author="", yf=0, yt=0):
        queries.append((cls, text, title, author, yf, yt))

    titles = res["title"]
    for t in itertools.islice(itertools.cycle(titles), QUERIES_PER_CLASS * 20):
        chars = [c for c in t if is_kanji(c)]
        if chars:
            add("1char", qrng.choice(chars))
        if sum(q[0] == "1char" for q in queries) == QUERIES_PER_CLASS:
            break
    # Users type words: a 2-character word of the title (or two characters of
    # a longer one), a whole word of 3 or more characters.
    for cls in ("2char", "3char+"):
        got = 0
        for ws, _, _ in itertools.cycle(res["word"]):
            if got == QUERIES_PER_CLASS:
                break
            surf = [w for w, _ in ws if all(is_cjk(c) for c in w)]
            if cls == "2char":
                two = [w for w in surf if len(w) == 2]
                longer = [w for w in surf if len(w) > 2]
                if two:
                    add(cls, qrng.choice(two))
                elif longer:
                    w = qrng.choice(longer)
                    at = qrng.randrange(len(w) - 1)
                    add(cls, w[at:at + 2])
                else:
                    continue
            else:
                three = [w for w in surf if len(w) >= 3]
                if not three:
                    continue
                add(cls, qrng.choice(three))
            got += 1
    got = 0
    authors, words = res["author"], res["word"]
    while got < QUERIES_PER_CLASS:
        r = qrng.random()
        if r < 0.4:
            name, kana, sr, = qrng.choice(authors)
            q = hira(sr)
        elif r < 0.7:
            name, kana, sr, = qrng.choice(authors)
            q = hira(kana.replace(" ", ""))
        else:
            ws = [w for w in qrng.choice(words)[0] if len(w[1]) >= 2]
            if not ws:
                continue
            q = hira(qrng.choice(ws)[1])
        add("kana", q)
        got += 1
    for i, isbn in enumerate(res["isbn"][:QUERIES_PER_CLASS]):
        if i % 2 == 0:
            add("isbn", isbn)
        else:
            d = isbn.replace("-", "")
            parts = isbn.split("-")  # 978 4 pub title check
            add("isbn", "%s-%s-%s-%s" % (parts[1], parts[2], parts[3], isbn10_check(d[3:12])))
    stop = {"the", "of", "and", "a", "to", "in", "on", "an", "for"}
    got = 0
    for latin in itertools.cycle(res["latin"]):
        if got == QUERIES_PER_CLASS:
            break
        ws = [w for w in latin if w.lower() not in stop and len(w) >= 2]
        if ws:
            add("latin", qrng.choice(ws))
            got += 1
    got = 0
    for ws, year, aws in itertools.cycle(words):
        if got == QUERIES_PER_CLASS:
            break
        ws = [w for w in ws if len(w[0]) >= 2]
        if not ws or not aws:
            continue
        add("advanced", "", qrng.choice(ws)[0], hira(aws[0][2]), year - qrng.randint(0, 5),
            year + qrng.randint(0, 5))
        got += 1
    with open(os.path.join(args.out, "queries.tsv"), "w", encoding="utf-8") as out:
        out.write("class\ttext\ttitle\tauthor\tyear_from\tyear_to\n")
        for q in queries:
            out.write("\t".join(str(x) for x in q) + "\n")
    info = dict(records=args.records, rows=n_rows, seed=args.seed, with_isbn=n_isbn,
                isbn_share=round(n_isbn / max(1, args.records), 3), raw_text_bytes=raw,
                surnames=len(g.m["surnames"]), given_names=len(g.m["given"]),
                common_words=len(g.m["common"]), rare_words=len(g.m["rare"]),
                seconds=round(time.time() - t0, 1))
    with open(os.path.join(args.out, "gen.json"), "w") as f:
        json.dump(info, f, ensure_ascii=False, indent=1)
    print(json.dumps(info, ensure_ascii=False))


# ---------------------------------------------------------------- Groonga

def read_catalog(path):
    """Records (one per id) from catalog.tsv."""
    with open(path, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        last = None
        for line in f:
            row = dict(zip(header, line.rstrip("\n").split("\t")))
            if row["id"] != last:
                last = row["id"]
                yield row


def isbn_digits(s):
    """ISBN-13 digits of an ISBN-10 or -13 with hyphens, or None."""
    d = s.replace("-", "").replace(" ", "").upper()
    if len(d) == 10 and d[:9].isdigit() and (d[9].isdigit() or d[9] == "X"):
        if isbn10_check(d[:9]) != d[9]:
            return None
        t = "978" + d[:9]
        return t + isbn13_check(t)
    if len(d) == 13 and d.isdigit() and d[:3] in ("978", "979") and isbn13_check(d[:12]) == d[12]:
        return d
    return None


def groonga_load(args):
    """The records as Groonga commands. Variant 'kana' loads readings without
    their word spaces, as shiori indexes them (db/search.cc NoSpaces)."""
    w = sys.stdout.write
    ns = (lambda s: s.replace(" ", "").replace("\u3000", "")) if args.variant == "kana" else (lambda s: s)
    w("table_create Books TABLE_NO_KEY\n")
    for col, typ in (("title", "ShortText"), ("title_kana", "ShortText"), ("author", "ShortText"),
                     ("author_kana", "ShortText"), ("publisher", "ShortText"),
                     ("publisher_kana", "ShortText"), ("subjects", "ShortText"),
                     ("isbn", "ShortText"), ("year", "Int32")):
        w("column_create Books %s COLUMN_SCALAR %s\n" % (col, typ))
    w("load --table Books\n[\n")
    first = True
    for r in read_catalog(os.path.join(args.dir, "catalog.tsv")):
        d = dict(title=r["title"], title_kana=ns(r["title_kana"]), author=r["author"].replace(" ; ", " / "),
                 author_kana=" / ".join(ns(k) for k in r["author_kana"].split(" ; ")),
                 publisher=r["publisher"], publisher_kana=ns(r["publisher_kana"]), subjects=r["subjects"],
                 isbn=isbn_digits(r["isbn"]) or "" if r["isbn"] else "", year=int(r["year"] or 0))
        w(("" if first else ",\n") + json.dumps(d, ensure_ascii=False))
        first = False
    w("\n]\n")


NORMALIZERS = {"auto": "NormalizerAuto", "kana": "'NormalizerNFKC150(\"unify_kana\", true)'"}


def groonga_index(variant):
    """Index columns, created after the load (Groonga then builds them statically).
    'auto': NormalizerAuto (NFKC: full-width ASCII and half-width kana folded,
    hiragana and katakana kept apart); 'kana': NFKC 15.0 with unify_kana, so
    hiragana finds katakana, as in shiori."""
    return [
        "table_create Terms TABLE_PAT_KEY ShortText --default_tokenizer TokenBigram --normalizer "
        + NORMALIZERS[variant],
        "column_create Terms books_text COLUMN_INDEX|WITH_POSITION|WITH_SECTION Books "
        "title,title_kana,author,author_kana,publisher,publisher_kana,subjects",
        "table_create Isbns TABLE_PAT_KEY ShortText",
        "column_create Isbns books_isbn COLUMN_INDEX Books isbn",
        "table_create Years TABLE_PAT_KEY Int32",
        "column_create Years books_year COLUMN_INDEX Books year",
    ]


def grn_escape_query(s):
    out = []
    for c in s:
        if c in '"()\\\'+-<>~*:' or c == " ":
            out.append("\\" + c)
        else:
            out.append(c)
    return "".join(out)


def grn_string(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


MATCH_COLUMNS = ("title*10 || title_kana*8 || author*5 || author_kana*4 || publisher*2 || "
                 "publisher_kana*2 || subjects")


def groonga_params(q):
    cls, text, title, author, yf, yt = q
    # cache=no: the rounds repeat each query, and Groonga's query cache would
    # answer the repeats from memory.
    p = {"table": "Books", "limit": "20", "sort_keys": "-_score,-_id", "output_columns": "_id,_score",
         "cache": "no"}
    if cls == "isbn":
        d = isbn_digits(text)
        p["filter"] = "isbn == %s" % grn_string(d or "none")
    elif cls == "advanced":
        p["filter"] = ("(title @ {t} || title_kana @ {t}) && (author @ {a} || author_kana @ {a})"
                       " && year >= {yf} && year <= {yt}").format(t=grn_string(title), a=grn_string(author),
                                                                   yf=yf, yt=yt)
    else:
        p["match_columns"] = MATCH_COLUMNS
        p["query"] = grn_escape_query(text)
    return p


def read_queries(d):
    qs = []
    with open(os.path.join(d, "queries.tsv"), encoding="utf-8") as f:
        f.readline()
        for line in f:
            c = line.rstrip("\n").split("\t")
            qs.append((c[0], c[1], c[2], c[3], int(c[4]), int(c[5])))
    return qs


def pct(xs, p):
    xs = sorted(xs)
    if not xs:
        return 0.0
    k = (len(xs) - 1) * p / 100.0
    lo, hi = math.floor(k), math.ceil(k)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def groonga_run(args):
    qs = read_queries(args.dir)
    conn = http.client.HTTPConnection("127.0.0.1", args.port)

    def call(path):
        t = time.perf_counter()
        conn.request("GET", path)
        resp = conn.getresponse()
        body = resp.read()
        wall = time.perf_counter() - t
        data = json.loads(body)
        return wall, data

    paths = []
    for q in qs:
        paths.append("/d/select?" + urllib.parse.urlencode(groonga_params(q)))
    per = collections.defaultdict(lambda: {"server_ms": [], "wall_ms": []})
    hits = []
    for rnd in range(args.rounds + 1):  # round 0 warms up
        for q, path in zip(qs, paths):
            wall, data = call(path)
            if data[0][0] != 0:
                sys.exit("groonga: %s: %s" % (path, data[0]))
            if rnd == 0:
                body = data[1][0]
                hits.append({"class": q[0], "query": q[1] or (q[2] + " / " + q[3] + " %d-%d" % (q[4], q[5])),
                             "total": body[0][0], "top": [r[0] for r in body[2:]]})
                continue
            per[q[0]]["server_ms"].append(data[0][2] * 1000.0)
            per[q[0]]["wall_ms"].append(wall * 1000.0)
    out = {"classes": {}, "hits": hits}
    for cls, v in per.items():
        out["classes"][cls] = {k: {"p50": pct(xs, 50), "p99": pct(xs, 99), "mean": statistics.fmean(xs)}
                               for k, xs in v.items()}
    with open(args.out, "w") as f:
        json.dump(out, f, ensure_ascii=False)
    for cls, v in out["classes"].items():
        print("groonga %-9s server p50 %7.3f p99 %7.3f ms | http wall p50 %7.3f p99 %7.3f ms" %
              (cls, v["server_ms"]["p50"], v["server_ms"]["p99"], v["wall_ms"]["p50"], v["wall_ms"]["p99"]))


CLASSES = ("1char", "2char", "3char+", "kana", "isbn", "latin", "advanced")


def compare(args):
    """Markdown tables: latency side by side, then hit counts (per Groonga variant)."""
    s = json.load(open(args.shiori))[args.phase]
    gs = []
    for spec in args.groonga:
        label, _, path = spec.partition("=")
        gs.append((label, json.load(open(path))))
    head = "| class | shiori p50 / p99 / mean |"
    rule = "|---|---:|"
    for label, _ in gs:
        head += " Groonga %s p50 / p99 / mean | Groonga p99 ÷ shiori p99 | Groonga HTTP p50 / p99 |" % label
        rule += "---:|---:|---:|"
    print(head)
    print(rule)
    for cls in CLASSES:
        a = s["classes"].get(cls)
        if not a:
            continue
        line = "| %s | %.2f / %.2f / %.2f |" % (cls, a["p50"], a["p99"], a["mean"])
        for _, g in gs:
            b = g["classes"].get(cls)
            bs, bw = b["server_ms"], b["wall_ms"]
            line += " %.2f / %.2f / %.2f | %.2f× | %.2f / %.2f |" % (
                bs["p50"], bs["p99"], bs["mean"], bs["p99"] / a["p99"] if a["p99"] else 0, bw["p50"], bw["p99"])
        print(line)
    sh = s["hits"]
    for label, g in gs:
        gh = g["hits"]
        by_cls = collections.defaultdict(list)
        for a, b in zip(sh, gh):
            by_cls[a["class"]].append((a, b))
        print()
        print("Hit counts, shiori and Groonga %s (a sample of %d a class; + : shiori's count is capped)" %
              (label, args.sample))
        print()
        print("| class | query | shiori | Groonga | top-20 ids in common |")
        print("|---|---|---:|---:|---:|")
        for cls in CLASSES:
            for a, b in by_cls[cls][:args.sample]:
                st = "%d%s" % (a["total"], "+" if a["capped"] else "")
                print("| %s | %s | %s | %d | %d |" % (cls, a["query"], st, b["total"],
                                                     len(set(a["top"]) & set(b["top"]))))
        print()
        print("| class | queries | 0 hits shiori / Groonga | shiori capped | equal (uncapped) |"
              " shiori fewer (uncapped) | shiori more | median top-20 overlap |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for cls in CLASSES:
            pr = by_cls[cls]
            if not pr:
                continue
            z_s = sum(a["total"] == 0 for a, _ in pr)
            z_g = sum(b["total"] == 0 for _, b in pr)
            cap = sum(a["capped"] for a, _ in pr)
            unc = [(a, b) for a, b in pr if not a["capped"]]
            eq = sum(a["total"] == b["total"] for a, b in unc)
            lt = sum(a["total"] < b["total"] for a, b in unc)
            gt = sum(a["total"] > b["total"] for a, b in pr)
            ov = statistics.median(len(set(a["top"]) & set(b["top"])) / max(1, min(20, len(a["top"]), len(b["top"])))
                                   for a, b in pr)
            print("| %s | %d | %d / %d | %d | %d | %d | %d | %.0f%% |" % (cls, len(pr), z_s, z_g, cap, eq, lt, gt,
                                                                      ov * 100))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("generate")
    p.add_argument("--records", type=int, required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--seed", type=int, default=20240601)
    p = sub.add_parser("groonga-load")
    p.add_argument("dir")
    p.add_argument("--variant", choices=("auto", "kana"), default="auto")
    p = sub.add_parser("groonga-index")
    p.add_argument("--variant", choices=("auto", "kana"), default="auto")
    p = sub.add_parser("groonga-run")
    p.add_argument("dir")
    p.add_argument("port", type=int)
    p.add_argument("out")
    p.add_argument("--rounds", type=int, default=3)
    p = sub.add_parser("compare")
    p.add_argument("shiori")
    p.add_argument("groonga", nargs="+", help="LABEL=groonga.json")
    p.add_argument("--sample", type=int, default=4)
    p.add_argument("--phase", default="optimized", choices=("optimized", "imported"))
    a = ap.parse_args()
    if a.cmd == "generate":
        generate(a)
    elif a.cmd == "groonga-load":
        groonga_load(a)
    elif a.cmd == "groonga-index":
        print("\n".join(groonga_index(a.variant)))
    elif a.cmd == "groonga-run":
        groonga_run(a)
    else:
        compare(a)


if __name__ == "__main__":
    main()
