"""Time `read_return` on a ~1 MB messy workbook.

    .venv/bin/python benchmarks/bench_ingest.py [--rows 12000] [--repeat 7]

The workbook is written with xlsxwriter into a temporary directory: a merged title row,
a 填报单位 line, Traditional and pinyin-annotated headers, an extra column, blank rows,
date cells and text dates, a few IDs typed as numbers, and a sign-off row. All ID
numbers are synthetic (valid check digit, made-up sequence).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import xlsxwriter
from stdnum.cn import ric

from doorstep.ingest import read_return
from foundation.reference import load_reference
from foundation.settings import Settings

HEADER = [
    "序號",
    "姓名",
    "性別",
    "身份證號碼",
    "人員類(lèi)別",
    "殘疾人證號",
    "就業(yè)方式",
    "就業單位",
    "就業崗位",
    "就業日期",
    "月收入（元）",
    "享受社保補貼",
    "聯繫電話",
    "備註",
    "微信號",
]
EMPTY = {
    "技能培训": [
        "培训项目",
        "培训类型",
        "开班日期",
        "结业日期",
        "培训人数",
        "结业人数",
        "结业后就业人数",
    ],
    "创业活动": ["活动名称", "活动类型", "活动日期", "参加人数", "地点"],
    "孵化企业": ["企业名称", "统一社会信用代码", "入孵日期", "带动就业人数", "其中困难人员"],
    "零就业家庭": [
        "家庭编号",
        "户主姓名",
        "户主身份证号码",
        "家庭人口",
        "劳动力人数",
        "认定日期",
        "状态",
    ],
}
CATEGORIES = ["低保", "殘疾人", "大齡", "零就業家庭", "低收入人口、殘疾人"]
CHANNELS = ["單位就業", "靈活就業", "居家就業", "公益性崗位"]


def synthetic_id(n: int) -> str:
    body = f"{3207061988 + n % 15}{1 + n % 12:02d}{1 + n % 28:02d}{n % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")  # stdnum ignores the last character


def write_messy_return(path: Path, rows: int) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    dates = wb.add_format({"num_format": "yyyy/m/d"})
    cover = wb.add_worksheet("填報信息")
    for i, (key, value) in enumerate(
        [("服务站名称", "星化社区家门口就业服务站"), ("服务站编码", "XH"), ("报告期", "2024年5月")]
    ):
        cover.write_string(i + 1, 0, key)
        cover.write_string(i + 1, 1, value)
    ws = wb.add_worksheet("就業幫扶台賬")
    ws.merge_range(0, 0, 0, len(HEADER) - 1, "海州区家门口就业服务站就业帮扶台账（2024年5月）")
    ws.write_string(1, 0, "填报单位：星化社区")
    ws.write_row(3, 0, HEADER)
    r = 4
    for n in range(1, rows + 1):
        if n % 500 == 0:
            r += 1  # a blank row now and then
        ws.write_number(r, 0, n)
        ws.write_string(r, 1, f"测试{n}")
        ws.write_string(r, 2, "男" if n % 2 else "女")
        if n % 97 == 0:
            ws.write_number(r, 3, float(synthetic_id(n)[:15] + "000"))  # typed as a number
        else:
            ws.write_string(r, 3, synthetic_id(n))
        ws.write_string(r, 4, CATEGORIES[n % len(CATEGORIES)])
        if n % 5 == 1:
            ws.write_string(r, 5, synthetic_id(n) + "14")
        ws.write_string(r, 6, CHANNELS[n % len(CHANNELS)])
        ws.write_string(r, 7, f"连云港某某有限公司{n % 200}")
        ws.write_string(r, 8, "操作工")
        if n % 3:
            ws.write_datetime(r, 9, date(2024, 5, 1 + n % 28), dates)
        else:
            ws.write_string(r, 9, f"2024.5.{1 + n % 28}")
        ws.write_number(r, 10, 1500 + n % 3000)
        ws.write_string(r, 11, "是" if n % 4 else "否")
        ws.write_string(r, 12, f"138{n:08d}")
        if n % 50 == 0:
            ws.write_string(r, 13, "=补报")
        ws.write_string(r, 14, f"wx{n}")
        r += 1
    ws.write_string(r + 1, 0, "填报单位（盖章）：")
    ws.write_string(r + 1, 5, "审核人：")
    for name, header in EMPTY.items():
        wb.add_worksheet(name).write_row(0, 0, header)
    wb.close()
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=12_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    ref, settings = load_reference(), Settings()
    with tempfile.TemporaryDirectory() as tmp:
        path = write_messy_return(Path(tmp) / "XH_2024-05.xlsx", args.rows)
        parsed = read_return(path, ref, settings)  # warm-up (OpenCC, reference caches)
        timings = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            parsed = read_return(path, ref, settings)
            timings.append(time.perf_counter() - started)
        size = path.stat().st_size
    placements = parsed.sheets["placements"]
    print(f"command   : {' '.join([Path(sys.executable).name, *sys.argv])}")
    print(
        f"machine   : {platform.platform()}, {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}"
    )
    print(
        f"workbook  : {size / 1e6:.2f} MB, {placements.height} placement rows read, "
        f"{int(placements['id_number_was_number'].sum())} IDs typed as numbers, "
        f"issues {sorted({i.reason_code for i in parsed.issues})}"
    )
    print(
        f"read_return x{args.repeat}: min {min(timings):.3f} s, "
        f"median {statistics.median(timings):.3f} s"
    )


if __name__ == "__main__":
    main()
