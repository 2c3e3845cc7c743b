"""Place names of travel histories and risk areas, normalised so that they can be compared (S3).

There is no gazetteer in the system: risk-area lists and visitors name places the way people
write them — 北京市朝阳区, 北京朝阳区, 朝阳区 with 北京 chosen as the province, 内蒙古呼和浩特.
A place becomes a province (from the table below, or the first two digits of an
administrative code) and a sequence of name keys, each component with its administrative
suffix (市, 区, 县, 旗, 街道, 镇, 社区, 村 …) stripped. Two places are compared by their
sequences, allowing either side to leave out intermediate levels (河北省藁城区 for
河北省石家庄市藁城区). A place whose province cannot be told is *unknown*: it is kept as typed
and flagged for a person to check, never dropped.
"""

import re
from dataclasses import dataclass
from enum import StrEnum

# (code prefix, full name, short names)
PROVINCES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("11", "北京市", ("北京",)),
    ("12", "天津市", ("天津",)),
    ("13", "河北省", ("河北",)),
    ("14", "山西省", ("山西",)),
    ("15", "内蒙古自治区", ("内蒙古", "内蒙")),
    ("21", "辽宁省", ("辽宁",)),
    ("22", "吉林省", ("吉林",)),
    ("23", "黑龙江省", ("黑龙江",)),
    ("31", "上海市", ("上海",)),
    ("32", "江苏省", ("江苏",)),
    ("33", "浙江省", ("浙江",)),
    ("34", "安徽省", ("安徽",)),
    ("35", "福建省", ("福建",)),
    ("36", "江西省", ("江西",)),
    ("37", "山东省", ("山东",)),
    ("41", "河南省", ("河南",)),
    ("42", "湖北省", ("湖北",)),
    ("43", "湖南省", ("湖南",)),
    ("44", "广东省", ("广东",)),
    ("45", "广西壮族自治区", ("广西",)),
    ("46", "海南省", ("海南",)),
    ("50", "重庆市", ("重庆",)),
    ("51", "四川省", ("四川",)),
    ("52", "贵州省", ("贵州",)),
    ("53", "云南省", ("云南",)),
    ("54", "西藏自治区", ("西藏",)),
    ("61", "陕西省", ("陕西",)),
    ("62", "甘肃省", ("甘肃",)),
    ("63", "青海省", ("青海",)),
    ("64", "宁夏回族自治区", ("宁夏",)),
    ("65", "新疆维吾尔自治区", ("新疆",)),
    ("71", "台湾省", ("台湾",)),
    ("81", "香港特别行政区", ("香港",)),
    ("82", "澳门特别行政区", ("澳门",)),
)
PROVINCE_BY_CODE = {code: full for code, full, _ in PROVINCES}
PROVINCE_CHOICES = [(full, full) for _, full, _ in PROVINCES]
_PROVINCE_NAMES = sorted(
    ((name, full) for _, full, shorts in PROVINCES for name in (full, *shorts)),
    key=lambda pair: -len(pair[0]),
)
_PROVINCE_BY_ANY_NAME = dict(_PROVINCE_NAMES)

# Ethnic names inside autonomous prefectures and counties (延边朝鲜族自治州 → 延边).
_ETHNIC = (
    "蒙古|回|藏|维吾尔|苗|彝|壮|布依|朝鲜|满|侗|瑶|白|土家|哈尼|哈萨克|傣|黎|傈僳|佤|畲|高山|拉祜|水|东乡|纳西|景颇|"
    "柯尔克孜|土|达斡尔|仫佬|羌|布朗|撒拉|毛南|仡佬|锡伯|阿昌|普米|塔吉克|怒|乌孜别克|俄罗斯|鄂温克|德昂|保安|裕固|"
    "京|塔塔尔|独龙|鄂伦春|赫哲|门巴|珞巴|基诺|各"
)
_ETHNIC_TAIL = re.compile(rf"(?:(?:{_ETHNIC})族)+$")
# Administrative suffixes, longest first. A component is the shortest run of text ending in one.
_SUFFIXES = (
    "特别行政区",
    "街道办事处",
    "自治区",
    "自治州",
    "自治县",
    "自治旗",
    "居委会",
    "村委会",
    "开发区",
    "街道",
    "地区",
    "林区",
    "新区",
    "社区",
    "小区",
    "苏木",
    "嘎查",
    "省",
    "市",
    "区",
    "县",
    "旗",
    "盟",
    "镇",
    "乡",
    "村",
)
_COMPONENT = re.compile(r"(.+?(?:" + "|".join(_SUFFIXES) + r"))")
# Words that name no place of their own (北京市市辖区朝阳区).
_FILLERS = {"市辖区", "辖区", "县辖区"}
_SEPARATORS = re.compile(r"[\s,，、/\\|\-—·.。()（）]+")
# A suffix-less tail of at least this many characters may start with a risk area's key
# (北京朝阳三里屯 reaches 朝阳); shorter keys would match too much.
MIN_LOOSE_KEY = 2


def _strip_suffix(component: str) -> str:
    for suffix in _SUFFIXES:
        if component.endswith(suffix) and len(component) > len(suffix):
            key = component[: -len(suffix)]
            if suffix.startswith("自治"):
                key = _ETHNIC_TAIL.sub("", key) or key
            return key
    return component


def normalise_code(code: str) -> str:
    """The significant digits of an administrative code: 110105000000 → 110105, 110000 → 11."""
    digits = "".join(ch for ch in code if ch.isdigit())
    if len(digits) not in (2, 4, 6, 9, 12):
        return ""
    head, tail = digits[:6], digits[6:]
    if len(tail) == 6 and tail.endswith("000"):
        tail = tail[:3]
    if tail == "000":
        tail = ""
    if tail:
        return head + tail
    while len(head) > 2 and head.endswith("00"):
        head = head[:-2]
    return head


def province_full_name(text: str) -> str:
    """北京, 北京市 → 北京市; "" for anything that is not a province."""
    return _PROVINCE_BY_ANY_NAME.get(text.strip(), "")


def split_province(text: str) -> tuple[str, str]:
    """(full province name, rest of the text) when the text starts with a province."""
    for name, full in _PROVINCE_NAMES:
        if text.startswith(name):
            return full, text[len(name) :]
    return "", text


@dataclass(frozen=True)
class Place:
    """A place as typed, with what could be made of it."""

    text: str
    province: str = ""
    keys: tuple[str, ...] = ()
    loose_tail: bool = False  # the last key had no administrative suffix
    code: str = ""

    @property
    def is_known(self) -> bool:
        return bool(self.province)

    @property
    def label(self) -> str:
        return self.text or self.province


def parse_place(text: str, *, province: str = "", code: str = "") -> Place:
    """Make a Place of free text, an optional province chosen apart, and an optional code."""
    raw = " ".join(text.split())
    code = normalise_code(code)
    chosen = _PROVINCE_BY_ANY_NAME.get(province.strip(), "")
    found, rest = split_province(_SEPARATORS.sub("", raw))
    province_name = found or chosen or (PROVINCE_BY_CODE.get(code[:2], "") if code else "")
    components: list[str] = []
    position = 0
    for match in _COMPONENT.finditer(rest):
        if match.start() != position:
            break
        component = match.group(1)
        position = match.end()
        if component in _FILLERS:
            continue
        if not components and province_name and _PROVINCE_BY_ANY_NAME.get(component) == province_name:
            continue  # 北京市北京市朝阳区: the municipality named twice
        components.append(component)
    tail = rest[position:]
    if tail in _SUFFIXES and components:  # 新市镇 read as 新市 + 镇: one name after all
        components[-1] += tail
        tail = ""
    keys = [_strip_suffix(component) for component in components]
    loose = bool(tail)
    if tail:
        keys.append(tail)
    return Place(text=raw, province=province_name, keys=tuple(keys), loose_tail=loose, code=code)


def place_key(place: Place) -> str:
    """One text per place, the same however it was written (one open risk-area record per key)."""
    key = "|".join((place.province, *place.keys))
    return f"{key}#{place.code}" if place.code else key


class Reach(StrEnum):
    """How a travel place relates to a risk area."""

    NONE = "none"
    WITHIN = "within"  # the traveller was inside the area: a definite match
    POSSIBLE = "possible"  # the traveller's place contains the area, or the province is unknown


def _is_subsequence(short: tuple[str, ...], long: tuple[str, ...]) -> bool:
    iterator = iter(long)
    return all(any(item == other for other in iterator) for item in short)


def _key_equal(travel_key: str, area_key: str, *, loose: bool) -> bool:
    if travel_key == area_key:
        return True
    return loose and len(area_key) >= MIN_LOOSE_KEY and travel_key.startswith(area_key)


def _index_of(keys: tuple[str, ...], wanted: str, *, loose_last: bool) -> int:
    for index, key in enumerate(keys):
        if _key_equal(key, wanted, loose=loose_last and index == len(keys) - 1):
            return index
    return -1


def _by_code(travel: Place, area: Place) -> Reach:
    if travel.code.startswith(area.code):
        return Reach.WITHIN
    if area.code.startswith(travel.code):
        return Reach.POSSIBLE
    return Reach.NONE


def reach(travel: Place, area: Place) -> Reach:
    """Whether `travel` lies inside `area` (by code when both have one, else by names)."""
    if travel.code and area.code:
        return _by_code(travel, area)
    if travel.province and area.province and travel.province != area.province:
        return Reach.NONE
    if not area.keys:  # the whole province is at risk
        return Reach.WITHIN if travel.province == area.province else Reach.NONE
    if not travel.keys:
        return Reach.POSSIBLE if travel.province == area.province else Reach.NONE
    certain = bool(travel.province and area.province)
    # The traveller went somewhere inside the area: the area's last key is on the travel path.
    at = _index_of(travel.keys, area.keys[-1], loose_last=travel.loose_tail)
    if at >= 0:
        path = travel.keys[: at + 1]
        aligned = _is_subsequence(path[:-1], area.keys[:-1]) or _is_subsequence(area.keys[:-1], path[:-1])
        if aligned:
            return Reach.WITHIN if certain else Reach.POSSIBLE
    # The traveller names a larger place that contains the area (北京市朝阳区 ⊃ a community in it).
    at = _index_of(area.keys, travel.keys[-1], loose_last=False)
    if at >= 0:
        path = area.keys[: at + 1]
        if _is_subsequence(travel.keys[:-1], path[:-1]) or _is_subsequence(path[:-1], travel.keys[:-1]):
            return Reach.POSSIBLE
    return Reach.NONE
