"""POST data for the collective form, as a browser sends it."""

from apps.organizations.models import Industry, Node

DEFAULT_MEMBERS = [
    ("王晓明", "1995-05-01", "班长", True),
    ("李丽", "1998-03-02", "客户经理", False),
    ("张伟", "1999-07-08", "客户经理", False),
    ("刘芳", "2000-01-01", "柜员", False),
    ("陈强", "1980-02-03", "柜员", False),
    ("杨军", "1975-06-06", "主任", False),
]


def collective_post(action="save", members=DEFAULT_MEMBERS, existing=(), **overrides):
    """Form data for a collective in 大观区 registering with its county committee.

    `existing` lists member primary keys, in order, for rows that are already saved.
    """
    data = {
        "name": "客户服务中心营业厅青年班组",
        "workplace_unit": "国网安庆供电公司",
        "industry": Industry.objects.get(code="power").pk,
        "province": "340000",
        "city": "340800",
        "county": "340803",
        "address": "安庆市大观区德宽路1号",
        "registering_node": Node.objects.get(region_id="340803", kind="league").pk,
        "service_promises": "微笑服务，文明用语\n首问负责，一次告知",
        "supervision_phone": "0556-5551234",
        "accept_pledge": "on",
        "member_data_consent": "on",
        "action": action,
        "members-TOTAL_FORMS": str(len(members)),
        "members-INITIAL_FORMS": str(len(existing)),
        "members-MIN_NUM_FORMS": "1",
        "members-MAX_NUM_FORMS": "200",
    }
    for index, (name, birth_date, position, is_leader) in enumerate(members):
        data[f"members-{index}-name"] = name
        data[f"members-{index}-birth_date"] = birth_date
        data[f"members-{index}-position"] = position
        if is_leader:
            data[f"members-{index}-is_leader"] = "on"
        if index < len(existing):
            data[f"members-{index}-id"] = str(existing[index])
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}
