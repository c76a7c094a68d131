import pytest

from foundation.reference import load_reference
from transforms.codes import lookup_code, split_categories

REF = load_reference()


@pytest.mark.parametrize(
    "text, code",
    [
        ("01", "01"),
        ("1", "01"),
        ("１", "01"),
        ("低收入人口", "01"),
        ("低保", "01"),
        ("低保户", "01"),
        ("残疾人", "02"),
        ("持证残疾人", "02"),
        ("殘疾人", "02"),  # Traditional
        ("特困職工家庭成員", "03"),
        ("零就业家庭", "04"),
        ("4050人员", "05"),
        ("女40男50", "05"),
        (" 大龄失业人员 ", "05"),
        ("01低收入人口", "01"),
        ("02-残疾人", "02"),
        ("残疾人（一户多残）", "02"),  # full-width bracketed explanation
        ("人員類(lèi)別", None),  # a header is not a category
        ("01-残疾人", None),  # code and label disagree: no guess
        ("06", None),
        ("外地人", None),
        ("", None),
        (None, None),
    ],
)
def test_category_spellings(text, code):
    assert lookup_code(text, REF.categories) == code


@pytest.mark.parametrize(
    "text, code",
    [
        ("10", "10"),
        ("单位就业", "10"),
        ("单位就业(企业吸纳)", "10"),
        ("单位就业（企业吸纳）", "10"),
        ("單位就業（企業吸納）", "10"),
        ("企业吸纳", "10"),
        ("自主创业(个体经营)", "21"),
        ("灵活就業", "22"),
        ("灵活就业(外卖配送)", "22"),
        ("居家就业（手工外包：渔网加工）", "23"),
        ("居家就業(yè)", "23"),  # pinyin annotation left by a converter
        ("残疾人之家", "24"),
        ("公益岗位", "30"),
        ("10-单位就业", "10"),
        ("99", "99"),
        ("其他", "99"),
        ("1", None),  # not a channel code
        ("打零工", None),
    ],
)
def test_channel_spellings(text, code):
    assert lookup_code(text, REF.channels) == code


@pytest.mark.parametrize(
    "text, codes, code",
    [
        ("创业培训", "training_types", "T2"),
        ("t1", "training_types", "T1"),
        ("岗位技能提升", "training_types", "T3"),
        ("创业培训班", "event_types", "E2"),
        ("創業沙龍", "event_types", "E3"),
        ("其他", "event_types", "E9"),
        ("创业培训班", "training_types", None),
    ],
)
def test_type_spellings(text, codes, code):
    assert lookup_code(text, getattr(REF, codes)) == code


@pytest.mark.parametrize(
    "text, items",
    [
        ("低保", ["低保"]),
        ("低保、残疾人", ["低保", "残疾人"]),
        ("低保,残疾人", ["低保", "残疾人"]),
        ("低保，残疾人；4050人员", ["低保", "残疾人", "4050人员"]),
        ("低保;残疾人/零就业家庭", ["低保", "残疾人", "零就业家庭"]),
        ("低保 残疾人", ["低保", "残疾人"]),
        ("低保、 、残疾人、", ["低保", "残疾人"]),
        ("残疾人(视力, 二级)、低保", ["残疾人(视力, 二级)", "低保"]),  # no split inside brackets
        ("", []),
        (None, []),
    ],
)
def test_split_categories_separators(text, items):
    assert split_categories(text) == items
