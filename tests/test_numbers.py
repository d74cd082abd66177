"""The zh/en number reader on phrasings from real mini-drama news, in both languages.

Each row: the text, then every number in it as (meaning, qualifier): the value as
the checker compares it, and what the text says of its precision ("" as written,
"about", "nearly", "over"). A figure's two languages must give the same meaning.
"""

from __future__ import annotations

import pytest

from newsletter.numbers import parse_en, parse_zh

ZH = [
    ("微短剧产业预计直接和间接带动就业203万人", [("2,030,000", "")]),
    ("直接劳动投入约3685万个工日", [("36,850,000", "about")]),
    ("直接吸纳就业人数约69万人", [("690,000", "about")]),
    ("全国短剧月度产量已稳定在3000部左右", [("3,000", "")]),
    ("目前平台热度已达367万", [("3,670,000", "")]),
    ("整体热度突破500万", [("5,000,000", "over")]),
    ("播放量近3500万", [("35,000,000", "nearly")]),
    ("室内面积超3万平方米", [("30,000", "over")]),
    ("计划打造100余个高频拍摄场景", [("100", "over")]),
    ("吸引上下游企业100多家", [("100", "over")]),
    ("用户规模达6.62亿", [("662,000,000", "")]),
    ("市场规模突破500亿元", [("50,000,000,000", "over")]),
    ("年产值3千万元", [("30,000,000", "")]),
    ("累计播放3000余万次", [("30,000,000", "over")]),
    # the second attack review: 余/多 inside a scale, and Chinese numerals with 余/多
    ("该报告累计触达5千余万读者", [("50,000,000", "over")]),
    ("全网播放2千多万次", [("20,000,000", "over")]),
    ("覆盖用户三千余万", [("30,000,000", "over")]),
    ("带动5百余万人就业", [("5,000,000", "over")]),
    ("吸引游客十余万人次", [("100,000", "over")]),
    ("新增一万余个岗位", [("10,000", "over")]),
    ("推出十余部精品短剧", [("10", "over")]),
    ("二〇二五年全国微短剧备案", [("2025", "")]),
    ("一多半的用户来自下沉市场", []),
    ("单部投资约百万元", [("1,000,000", "about")]),
    ("单部成本在30万至50万元之间", [("300,000", ""), ("500,000", "")]),
    ("每部投入3-5万元", [("30,000", ""), ("50,000", "")]),
    ("收入约1.2千亿元", [("120,000,000,000", "about")]),
    ("行业规模达1.5万亿元", [("1,500,000,000,000", "")]),
    ("同比增长35.2%", [("35.2%", "")]),
    ("付费用户占比百分之十二", [("12%", "")]),
    ("超过三成观众", [("30%", "over")]),
    ("近7成用户每天观看", [("70%", "nearly")]),
    ("成都青羊区", []),
    ("该剧共20集，单集约5分钟", [("20", ""), ("5", "about")]),
    ("第38届金鸡奖", [("38th", "")]),
    ("秋瑾诞辰150周年", [("150th", "")]),
    ("第四部微短剧", [("4th", "")]),
    ("自11月8日上线以来", [("November 8", "")]),
    ("2025年中国微短剧产业", [("2025", "")]),
    ("两万人参与拍摄", [("20,000", "")]),
    ("一百二十集", [("120", "")]),
    ("１２３万人", [("1,230,000", "")]),
    ("逾2000部作品", [("2,000", "over")]),
    ("将近10万名从业者", [("100,000", "nearly")]),
]

EN = [
    ("create employment for about 2.03 million people", [("2,030,000", "about")]),
    ("approximately 36.85 million person-days", [("36,850,000", "about")]),
    ("directly employ about 690,000 people", [("690,000", "about")]),
    ("monthly output has stabilized at around 3,000 mini series", [("3,000", "about")]),
    ("platform popularity reaching 3.67 million", [("3,670,000", "")]),
    ("Popularity Surpasses 5 Million!", [("5,000,000", "")]),
    ("garnering nearly 35 million views", [("35,000,000", "nearly")]),
    ("boasts over 30,000 square meters of indoor space", [("30,000", "over")]),
    ("more than 100 high-frequency filming sets", [("100", "over")]),
    ("a user base of 662 million", [("662,000,000", "")]),
    ("revenue of RMB5,000 per episode", [("5,000", "")]),
    ("raised US$3m in its first round", [("3,000,000", ""), ("1st", "")]),
    ("a market worth 5bn yuan", [("5,000,000,000", "")]),
    ("HK$1.2bn in box office", [("1,200,000,000", "")]),
    ("a budget of ¥300k", [("300,000", "")]),
    ("exceeding 50 billion yuan", [("50,000,000,000", "over")]),
    ("costs 300,000 to 500,000 yuan", [("300,000", ""), ("500,000", "")]),
    ("3-5 million views a day", [("3,000,000", ""), ("5,000,000", "")]),
    ("a 35.2% increase", [("35.2%", "")]),
    ("12 percent of paying users", [("12%", "")]),
    ("20 episodes of about 5 minutes", [("20", ""), ("5", "about")]),
    ("the 38th Golden Rooster Awards", [("38th", "")]),
    ("the 150th anniversary of the birth of Qiu Jin", [("150th", "")]),
    ("the fourth mini series", [("4th", "")]),
    ("since November 8", [("November 8", "")]),
    ("on 8 November", [("November 8", "")]),
    ("the 2025 Seminar on China's Mini Series Industry", [("2025", "")]),
    ("1.5 trillion yuan", [("1,500,000,000,000", "")]),
    ("upwards of 2,000 titles", [("2,000", "over")]),
    ("almost 100,000 practitioners", [("100,000", "nearly")]),
    ("Kai Ji! Jian Hu Nv Xia", []),
]


@pytest.mark.parametrize(("text", "expected"), ZH, ids=[t for t, _ in ZH])
def test_chinese_phrasings(text, expected):
    assert [(n.meaning(), n.qualifier) for n in parse_zh(text)] == expected


@pytest.mark.parametrize(("text", "expected"), EN, ids=[t for t, _ in EN])
def test_english_phrasings(text, expected):
    assert [(n.meaning(), n.qualifier) for n in parse_en(text)] == expected


def test_the_table_has_sixty_phrasings_or_more():
    assert len(ZH) + len(EN) >= 60
