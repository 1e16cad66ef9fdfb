"""Workbooks for the import tests, built the way staff fill them in."""

import io

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

COLLECTIVE_HEADERS = [
    "集体名称", "所在单位", "所在地区", "地址", "行业", "备案团委", "状态", "备案编号", "备案日期",
    "是否建有团支部", "服务承诺", "监督电话", "号长姓名", "号长手机",
]
MEMBER_HEADERS = ["备案编号", "所在单位", "集体名称", "姓名", "出生日期", "岗位", "是否号长", "手机"]


def collective_row(n, **changes):
    row = {
        "集体名称": f"营业厅青年班组{n}",
        "所在单位": "国网安庆供电公司",
        "所在地区": "340803",
        "地址": "安庆市大观区德宽路1号",
        "行业": "电力",
        "备案团委": "",
        "状态": "争创集体",
        "备案编号": f"340803-2024-{n:05d}",
        "备案日期": "2024-05-01",
        "是否建有团支部": "是",
        "服务承诺": "微笑服务，文明用语\n首问负责，一次告知",
        "监督电话": "0556-5551234",
        "号长姓名": f"号长{n}",
        "号长手机": f"137{n:08d}",
    }
    row.update(changes)
    return row


def member_row(n, collective_n=1, **changes):
    row = {
        "备案编号": f"340803-2024-{collective_n:05d}",
        "所在单位": "",
        "集体名称": "",
        "姓名": f"成员{n}",
        "出生日期": f"199{n % 10}-03-0{1 + n % 8}",
        "岗位": "客户经理",
        "是否号长": "否",
        "手机": "",
    }
    row.update(changes)
    return row


def workbook_bytes(headers, rows, build=None):
    """rows: dicts by header (missing keys left empty) or lists in the order of headers."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(h) for h in headers] if isinstance(row, dict) else list(row))
    if build:
        build(sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(content, name="import.xlsx"):
    return SimpleUploadedFile(name, content, content_type=XLSX)


def collectives_file(rows, headers=COLLECTIVE_HEADERS, **kwargs):
    return workbook_bytes(headers, rows, **kwargs)


def members_file(rows, headers=MEMBER_HEADERS, **kwargs):
    return workbook_bytes(headers, rows, **kwargs)
