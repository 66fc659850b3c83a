"""Field encodings of the social security card, pure: TLV records, BCD dates, GBK names.

Every decoder raises only `CardError` (reason TRUNCATED_RECORD or BAD_RECORD) on bad input;
the messages name the field tag, never its content.
"""

from __future__ import annotations

from datetime import date

from drivers.smartcard.apdu import CardError, ReadFailure

#: GB/T 3304 ethnicity codes, as the card stores them (one binary byte), short names as on ID cards.
ETHNICITIES: dict[int, str] = dict(enumerate((
    "汉", "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶", "白",
    "土家", "哈尼", "哈萨克", "傣", "黎", "傈僳", "佤", "畲", "高山", "拉祜", "水", "东乡", "纳西",
    "景颇", "柯尔克孜", "土", "达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬", "锡伯",
    "阿昌", "普米", "塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安", "裕固", "京",
    "塔塔尔", "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺"), start=1)) | {
    97: "其他", 98: "外国血统中国籍人士"}

#: GB/T 2261.1 sex codes as ASCII digits.
SEXES: dict[str, str] = {"0": "未知", "1": "男", "2": "女", "9": "未说明"}


def parse_record(raw: bytes, tag: int, length: int) -> bytes:
    """The value of one ``tag len value`` record, checking tag and declared length."""
    if len(raw) < 2:
        raise CardError(ReadFailure.TRUNCATED_RECORD, f"tag {tag:02X}: {len(raw)} bytes")
    if raw[0] != tag:
        raise CardError(ReadFailure.BAD_RECORD, f"expected tag {tag:02X}, got {raw[0]:02X}")
    declared = raw[1]
    if declared != length:
        raise CardError(ReadFailure.BAD_RECORD, f"tag {tag:02X}: length {declared} != {length}")
    if len(raw) - 2 < declared:
        raise CardError(ReadFailure.TRUNCATED_RECORD,
                        f"tag {tag:02X}: {len(raw) - 2} of {declared} bytes")
    return bytes(raw[2:2 + declared])


def parse_tlv(raw: bytes) -> dict[int, bytes]:
    """Split concatenated one-byte-tag, one-byte-length records into tag -> value."""
    out: dict[int, bytes] = {}
    pos = 0
    while pos < len(raw):
        if pos + 2 > len(raw):
            raise CardError(ReadFailure.TRUNCATED_RECORD, f"header cut at offset {pos}")
        tag, length = raw[pos], raw[pos + 1]
        if pos + 2 + length > len(raw):
            raise CardError(ReadFailure.TRUNCATED_RECORD, f"tag {tag:02X} cut")
        out[tag] = bytes(raw[pos + 2:pos + 2 + length])
        pos += 2 + length
    return out


def bcd_digits(raw: bytes, tag: int) -> str:
    """BCD nibbles as digits, right padding F removed; any other non-digit nibble is an error."""
    text = raw.hex().upper().rstrip("F")
    if not text.isdigit() and text:
        raise CardError(ReadFailure.BAD_RECORD, f"tag {tag:02X}: not BCD")
    return text


def bcd_date(raw: bytes, tag: int) -> date | None:
    """A BCD YYYYMMDD date; None when the field is all padding (absent)."""
    text = bcd_digits(raw, tag)
    if not text:
        return None
    if len(text) != 8:
        raise CardError(ReadFailure.BAD_RECORD, f"tag {tag:02X}: date of {len(text)} digits")
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        raise CardError(ReadFailure.BAD_RECORD, f"tag {tag:02X}: impossible date") from None


def gbk_text(raw: bytes, tag: int) -> str:
    """GBK text right-padded with 00 (some issuers pad with spaces): padding removed."""
    body = raw.split(b"\x00", 1)[0].rstrip(b" ")
    try:
        return body.decode("gbk").strip()
    except UnicodeDecodeError:
        raise CardError(ReadFailure.BAD_RECORD, f"tag {tag:02X}: not GBK") from None


def ascii_text(raw: bytes, tag: int) -> str:
    """ASCII text right-padded with 00 or spaces: padding removed; printable ASCII only."""
    body = raw.split(b"\x00", 1)[0]
    if any(b < 0x20 or b > 0x7E for b in body):
        raise CardError(ReadFailure.BAD_RECORD, f"tag {tag:02X}: not printable ASCII")
    return body.decode("ascii").strip()
