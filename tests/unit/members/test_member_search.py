import pytest

from domain.members import QueryKind, name_search_keys, normalize_query
from domain.shared.errors import DomainError


def test_full_pinyin_and_initials():
    keys = name_search_keys("张三")
    assert (keys.full, keys.initials) == ("zhangsan", "zs")
    assert keys.all_full == {"zhangsan"}


@pytest.mark.parametrize(
    ("name", "surname_reading", "everyday_reading"),
    [
        ("单雄信", "shanxiongxin", "danxiongxin"),
        ("曾国藩", "zengguofan", "cengguofan"),
        ("解缙", "xiejin", "jiejin"),
        ("仇英", "qiuying", "chouying"),
    ],
)
def test_polyphonic_surnames_use_the_surname_reading_and_keep_the_everyday_one(
    name, surname_reading, everyday_reading
):
    keys = name_search_keys(name)
    assert keys.full == surname_reading
    assert keys.all_full == {surname_reading, everyday_reading}
    assert keys.all_initials == {
        surname_reading[0] + keys.initials[1:],
        everyday_reading[0] + keys.initials[1:],
    }


def test_compound_surname_is_not_split_into_a_single_one():
    assert name_search_keys("单于丹").full == "chanyudan"


def test_separators_and_latin_letters_in_names():
    assert name_search_keys("阿沛·阿旺晋美").initials == "apawjm"
    assert name_search_keys("A强").full == "aqiang"


@pytest.mark.parametrize(
    ("raw", "kind", "value"),
    [
        ("张 三", QueryKind.NAME, "张三"),
        ("Zhang San", QueryKind.PINYIN, "zhangsan"),
        ("ZS", QueryKind.PINYIN, "zs"),
        ("xi'an", QueryKind.PINYIN, "xian"),
        ("+86 138-1234-1234", QueryKind.PHONE, "13812341234"),
        ("11010519491231002x", QueryKind.ID_NUMBER, "11010519491231002X"),
    ],
)
def test_query_kinds(raw, kind, value):
    query = normalize_query(raw)
    assert (query.kind, query.value) == (kind, value)


@pytest.mark.parametrize(("raw", "code"), [("  ", "query_empty"), ("1234", "query_unrecognized")])
def test_unusable_queries_are_refused(raw, code):
    with pytest.raises(DomainError) as caught:
        normalize_query(raw)
    (error,) = caught.value.errors
    assert (error.field, error.code) == ("q", code)
    assert error.message.zh
    assert error.message.en
