"""Demo campaigns and activity reports, so the campaign, roll-up, moderation and summary screens have something to show.

Called by `manage.py seed_demo` (civpost/management/commands/seed_demo.py) after apps/evaluations/demo.py, inside
its transaction: 共青团安庆市委 and 共青团安徽省委 launch three campaigns, and most registered demo collectives report
on them (1–4 reports each, volunteer hours per member, a few generated photos). Some collectives have not reported
for the open week, so its "not yet reported" list and the reminder have something to show; two reports are internal
and one is flagged by dg_reviewer. 王晓明 (`leader`) authorises `reporter` (李小青) to file for his bus team, and his
named collective has filed last year's annual summary.

Reports are saved the way workflow.save_report saves them (place copied from the collective, hours recorded on the
report), photos go through photos.process_photo like an upload, and the flag goes through services.flag (audit
record and notification included).

Idempotent: a campaign is matched by (committee, title), a report by (collective, title); what exists is left as
it is. The contents are drawn from a random generator seeded by the collective's name, so they do not depend on
what else exists.
"""

import io
import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from apps.accounts.models import User
from apps.audit.models import record
from apps.collectives.demo import committee, user
from apps.collectives.models import Collective, Status

from . import services, workflow
from .models import ActivityReport, AnnualSummary, Campaign, ReportAuthorisation, ReportKind, ReportPhoto
from .photos import process_photo

K = ReportKind
REPORTER = ("reporter", "李小青", "13800000002")

OPEN_WEEK, DREAM, CIVILISED_CITY = "open_week", "dream", "civilised_city"

# Collectives that have not reported for the open week (太湖县人民路邮政支局 has not reported at all).
OPEN_WEEK_MISSING = {"宜秀区客户服务中心营业厅", "太湖县1路公交车队", "太湖县人民路邮政支局", "潜山市客户服务热线班组"}
NO_REPORTS = {"太湖县人民路邮政支局"}
LEADER_BUS_TEAM = "大观区青年示范线路车队"  # 王晓明's aspiring collective; `reporter` may file for it
LEADER_NAMED = "大观区营业厅青年班组"  # 王晓明's named collective, with last year's annual summary

# A report template: title, place, narrative, participants range, people-served range. Placeholders: {name} (the
# collective), {unit} (its workplace unit, without a "<county>分支" suffix), {county} (its county), {p} participants,
# {b} people served, {k} a small number (5–15).
OPEN_WEEK_BY_INDUSTRY = {
    "health": (
        "开放周·急救技能体验日", "安庆市立医院{county}院区急诊科",
        "开放周期间，{name}向市民敞开急诊科大门。青年护士现场演示心肺复苏和AED使用，带领居民参观预检分诊台和抢救室，"
        "讲解急诊分级就诊流程，并手把手指导{b}名市民练习胸外按压。活动发放《家庭急救手册》，现场解答慢病用药和随访咨询。",
        (8, 15), (60, 150),
    ),
    "public-security": (
        "110开放日：走进报警服务台", "{county}公安分局110指挥中心",
        "{name}举办“110开放日”，邀请社区居民和学生代表走进接处警一线，观看接警、派警全流程演示，了解什么情况该打110、"
        "报警时如何说清地点和警情。青年接警员现场讲解电信网络诈骗常见手法，{b}名群众参与互动问答。",
        (6, 12), (40, 120),
    ),
    "taxation": (
        "办税服务厅开放日：“税务体验官”进大厅", "{county}税务局办税服务厅",
        "{name}邀请个体工商户和新办企业财务人员担任“税务体验官”，全程体验电子税务局开户、发票申领和个税汇算等业务，"
        "现场收集“办税堵点”意见建议{k}条，青年业务骨干逐条回应并明确整改时限。共服务纳税人{b}人次。",
        (6, 12), (30, 90),
    ),
    "power": (
        "营业厅开放日：安全用电与电费账单解读", "{county}供电营业厅",
        "{name}在开放周打开营业厅“后台”，带领居民参观智能用电体验区和95598服务流程，讲解阶梯电价、峰谷电价和电费账单"
        "各项内容，演示“网上国网”App交费和报修。青年员工为{b}名居民现场绑定户号，发放安全用电宣传册，收集意见建议{k}条。",
        (6, 12), (50, 150),
    ),
    "transport": (
        "公交开放日：小小乘务员体验", "{county}公交枢纽站",
        "{name}邀请辖区小学生和家长走进公交场站，参观调度中心和保养车间，体验报站、引导乘客上下车等乘务工作。青年驾驶员"
        "讲解乘车安全和车内安全锤、逃生窗的使用方法，{b}名学生和家长参加。",
        (8, 16), (40, 100),
    ),
    "postal": (
        "邮政开放周：寄递安全与集邮文化体验", "{county}人民路邮政支局营业大厅",
        "开放周期间，{name}向市民展示邮件收寄验视、实名收寄和安检流程，讲解禁寄物品常识；集邮展台展出青年员工收集的"
        "主题邮票，现场为{b}名市民加盖开放周纪念邮戳，并辅导老年人用小程序查询邮件。",
        (5, 10), (60, 180),
    ),
    "finance": (
        "金融开放日：守护“钱袋子”反诈课堂", "安庆农商银行{county}营业部",
        "{name}在营业大厅开设反诈课堂，以真实案例讲解冒充客服退款、刷单返利、虚假投资理财等诈骗手法，演示手机银行转账"
        "限额和账户安全设置，为老年客户开通到账提醒。活动共接待{b}名群众，发放反诈宣传折页。",
        (5, 10), (60, 160),
    ),
    "water": (
        "供水开放日：一滴水的净化之旅", "{county}水厂",
        "{name}组织市民代表走进水厂，沿着取水、混凝、沉淀、过滤、消毒的工艺流程参观，在化验室现场检测出厂水浊度和余氯；"
        "青年员工讲解二次供水水箱清洗和家庭节水小窍门，{b}名市民参加，收集供水服务意见{k}条。",
        (5, 10), (30, 80),
    ),
}
PUBLIC_SERVICE_BY_INDUSTRY = {
    "health": (
        "义诊进社区：慢病筛查与健康咨询", "{county}菱北社区卫生服务站",
        "{name}联合社区卫生服务站开展义诊，为居民免费测量血压、血糖，开展心血管风险筛查，对{k}名指标异常的居民建立随访"
        "档案并指导复诊。青年护士讲解家庭用药常识，共服务居民{b}人次。",
        (6, 12), (80, 200),
    ),
    "public-security": (
        "“护校安园”上下学高峰护学岗", "{county}石化路小学校门口",
        "{name}的青年民警和辅警组成护学岗，在上下学高峰疏导校门口交通、护送学生过马路，劝导违停车辆{k}辆，并向家长宣传"
        "电动自行车佩戴头盔和儿童乘车安全知识，惠及师生和家长约{b}人。",
        (5, 10), (300, 800),
    ),
    "taxation": (
        "税费优惠政策进园区辅导", "{county}双创园区",
        "{name}组织青年业务骨干走进园区，为小微企业和个体工商户讲解最新税费优惠政策和留抵退税办理流程，“一对一”解答"
        "企业提问{k}个，现场指导{b}名财务人员完成电子税务局操作。",
        (5, 10), (40, 120),
    ),
    "power": (
        "上门为独居老人检修家庭线路", "{county}十里社区",
        "{name}青年服务队走进老旧小区，为独居和高龄老人免费检修家庭线路、更换老化插座和开关，排查用电隐患{k}处，讲解"
        "电暖器、电热毯的冬季使用安全。共入户服务{b}户。",
        (5, 10), (20, 60),
    ),
    "transport": (
        "爱心车厢：为老年乘客提供出行帮扶", "{county}公交1路沿线",
        "{name}在早高峰设立“爱心车厢”，青年驾驶员和志愿者协助老年乘客、残障乘客上下车，帮助老人使用乘车码和敬老卡，"
        "解答换乘线路咨询，共服务乘客{b}人次。",
        (5, 10), (150, 400),
    ),
    "postal": (
        "邮政助农：农产品寄递进乡村", "{county}农村电商服务站",
        "{name}走进乡村电商服务站，为种植户讲解农产品包装、冷链寄递和网店上架流程，开通“农品出村”寄递绿色通道，"
        "现场揽收土特产包裹{k}0余件，服务农户{b}户。",
        (5, 10), (20, 60),
    ),
    "finance": (
        "金融知识进乡村：老年人防诈骗宣讲", "{county}村民服务中心",
        "{name}青年员工走进村民服务中心，用方言讲解养老诈骗、非法集资的常见套路，指导老人识别假币、使用社保卡金融功能，"
        "为行动不便的{k}位老人上门办理业务，共服务村民{b}人。",
        (5, 10), (60, 150),
    ),
    "water": (
        "供水管网入户巡检便民服务", "{county}老旧小区",
        "{name}组织青年员工对老旧小区供水管网开展入户巡检，检查水表和阀门{b}处，发现并当场处置漏点{k}处，为居民讲解"
        "冬季水表防冻措施，张贴抢修服务电话。",
        (5, 10), (60, 200),
    ),
}
VOLUNTEER = [
    (
        "文明城市创建·路口文明劝导志愿服务", "{county}人民路与菱湖南路交叉口",
        "{name}青年志愿者身着红马甲在交通路口开展文明劝导，引导行人和非机动车“红灯停、绿灯行”，劝阻闯红灯、不戴头盔"
        "等不文明行为{k}0余次，同步宣传文明城市创建知识，服务过往群众约{b}人次。",
        (6, 14), (300, 900),
    ),
    (
        "关爱独居老人上门志愿服务", "{county}龙山社区",
        "{name}与社区结对，青年志愿者分组走访独居和空巢老人，帮忙打扫卫生、代购生活用品，陪老人聊天，教老人用智能手机"
        "视频通话，为{b}位老人建立联系卡，约定每月上门一次。",
        (6, 12), (15, 40),
    ),
    (
        "“清洁家园”环境整治志愿服务", "{county}石塘湖沿岸",
        "{name}组织青年志愿者沿湖岸、绿地捡拾垃圾，清理卫生死角，劝导游客文明游园，共清理垃圾约{k}0公斤，向{b}名游客"
        "发放垃圾分类宣传单。",
        (8, 16), (100, 300),
    ),
    (
        "“情暖童心”留守儿童陪伴志愿服务", "{county}中心小学",
        "{name}青年志愿者走进学校，为留守儿童开展课业辅导、安全教育和手工课，结合岗位特点讲“我的工作”，并送上学习用品，"
        "{b}名儿童参加。",
        (6, 12), (30, 80),
    ),
    (
        "无偿献血志愿服务", "安庆市中心血站{county}献血屋",
        "{name}号召青年员工参与无偿献血，未能献血的志愿者在献血屋协助登记、引导和献血后观察，并向市民宣传无偿献血知识，"
        "服务献血市民{b}人次。",
        (8, 16), (40, 100),
    ),
]
STUDY = [
    (
        "“青春建功新时代”主题团日", "{unit}会议室",
        "{name}团支部开展主题团日活动，集中学习习近平总书记关于青年工作的重要论述，青年员工结合岗位谈体会、讲打算，"
        "围绕“我的中国梦”撰写学习心得{k}篇，并重温入团誓词。",
        (8, 16), (0, 0),
    ),
    (
        "青年理论学习小组读书分享会", "{unit}职工书屋",
        "{name}青年理论学习小组举办读书分享会，围绕行业先进人物事迹和岗位服务案例轮流分享读书心得，交流如何把学习成果"
        "转化为服务群众的实际行动。",
        (8, 16), (0, 0),
    ),
]
SKILLS = [
    (
        "岗位练兵·青年业务技能比武", "{unit}培训中心",
        "{name}举办青年业务技能比武，设置业务知识笔试、实操演练和情景服务模拟三个环节，{p}名青年同台竞技，评出一等奖1名、"
        "二等奖2名、三等奖3名，以赛促学、以赛促练。",
        (8, 18), (0, 0),
    ),
    (
        "窗口服务礼仪与应急处置演练", "{unit}服务大厅",
        "{name}开展服务礼仪展示和应急处置演练，模拟群众情绪激动、系统故障、突发疾病等场景，青年员工现场处置，老员工逐项"
        "点评，进一步规范文明用语和首问负责流程。",
        (8, 16), (0, 0),
    ),
]
INNOVATION = [
    (
        "青年“金点子”创新创效成果交流会", "{unit}会议室",
        "{name}举办青年创新创效成果交流会，青年员工围绕简化服务流程、提升群众体验提出“金点子”{k}条，其中“预约提醒短信”"
        "“办事材料清单二维码”等建议已在窗口试行。",
        (8, 16), (0, 0),
    ),
]
CULTURE = [
    (
        "“我的中国梦”青年诵读会", "{county}文化馆",
        "{name}举办“我的中国梦”主题诵读会，青年员工诵读红色经典和自创诗文，讲述身边的青年文明号故事，{b}名社区居民到场观看。",
        (10, 18), (40, 120),
    ),
    (
        "“青春心向党”青年文艺汇演", "{unit}职工之家",
        "{name}组织青年文艺汇演，青年员工自编自演情景剧《窗口的一天》、歌曲联唱和诗朗诵，展示青年文明号集体的精神风貌，"
        "邀请服务对象代表{b}人观看。",
        (10, 18), (30, 80),
    ),
]
DREAM_KINDS = {K.STUDY: STUDY, K.SKILLS: SKILLS, K.INNOVATION: INNOVATION, K.CULTURE: CULTURE}

# Two internal reports (not on the public page) and the one dg_reviewer flags.
INTERNAL_STUDY = (
    "团支部专题组织生活会：对照服务承诺查摆问题", "{unit}会议室",
    "{name}团支部召开专题组织生活会，对照服务承诺和群众意见逐条查摆问题，梳理出服务时限、一次性告知等方面的不足{k}条，"
    "明确整改责任人和完成时限。会议记录仅供支部内部存档。",
    (8, 14), (0, 0),
)
INTERNAL_INNOVATION = (
    "青年创新工作室课题攻关推进会", "{unit}青年创新工作室",
    "{name}青年创新工作室召开课题攻关推进会，逐项梳理在研课题进度，讨论系统对接和试点方案中的难点，明确下阶段分工。"
    "课题尚在内部测试，暂不对外公开。",
    (5, 10), (0, 0),
)
FLAGGED = (
    "个税汇算清缴上门辅导", "大观区双创园区",
    "{name}青年志愿者走进园区企业，为职工讲解个人所得税综合所得汇算清缴和专项附加扣除填报，现场辅导{b}名职工完成申报。"
    "其中纳税人陈某某（身份证号340803199012******，手机13955560123）因子女教育扣除填报错误导致多缴税款，经辅导已更正并申请退税。",
    (6, 10), (40, 80),
)
FLAG_REASON = "正文公开了纳税人的身份证号和手机号码，已暂停公开展示。请删除个人信息后联系团区委恢复公开。"

LEADER_BUS_REPORTS = [
    (
        "开放周·“公交志愿红”站台引导志愿服务", "安庆火车站公交枢纽站",
        "开放周统一行动日，{name}在站台设立青年文明号服务点，亮明服务承诺和监督电话。青年驾驶员和乘务员志愿者引导旅客"
        "换乘，帮助老人和带孩子的乘客搬运行李，讲解新开通的夜间线路，共服务旅客{b}人次。",
        (12, 12), (600, 600),
    ),
    (
        "青年驾驶员安全行车技能比武", "安庆市公交驾驶员培训场",
        "{name}组织青年驾驶员开展安全行车技能比武，设置定点停车、窄路掉头、车厢应急疏散三个项目，{p}名青年驾驶员参赛，"
        "赛后由老师傅逐项点评，把比武中暴露的操作习惯问题纳入日常培训。",
        (9, 9), (0, 0),
    ),
]
LEADER_NAMED_LAST_YEAR = [
    (
        "迎峰度夏·社区用电安全志愿服务", "大观区十里社区",
        "高温用电高峰期间，{name}青年志愿者走进社区，为居民检查空调、电动车充电线路，讲解夏季安全用电和电动车不进楼道，"
        "排查隐患{k}处，服务居民{b}户。",
        (10, 10), (86, 86),
    ),
    (
        "冬季保供电·为孤寡老人免费检修线路", "大观区海口镇",
        "入冬前，{name}青年服务队为辖区孤寡老人和困难家庭免费检修线路、更换老化电器配件，张贴抢修联系卡，共入户{b}户。",
        (8, 8), (32, 32),
    ),
]
ANNUAL_SUMMARY = (
    "{year}年，{name}被命名为市级青年文明号。全年坚持“微笑服务、首问负责、限时办结”的服务承诺，营业厅业务一次办结率"
    "保持在99%以上，全年无有效投诉。\n\n"
    "集体组织青年员工开展“迎峰度夏”社区用电安全和冬季保供电志愿服务，为孤寡老人免费检修家庭线路，累计入户百余户；"
    "推行“网上国网”线上办电，帮助老年客户跨越“数字鸿沟”。\n\n"
    "下一年度，集体将继续深化“亮号行动”，围绕创建文明城市开展常态化志愿服务，争创省级青年文明号。"
)


@dataclass
class Spec:
    """One report to create: the template filled in for the collective, and what goes with it."""

    campaign: str | None
    kind: str
    template: tuple
    held_on: date | None = None  # else drawn within the campaign's period
    hours: int = 0  # members with volunteer hours (0: none, or 2–5 drawn for volunteer kinds)
    photos: int = 0
    public: bool = True
    filed_by: User | None = None  # else the 号长
    flag_reason: str = ""


def seed_activities(stdout):
    today = timezone.localdate()
    campaigns = seed_campaigns(today)
    leader = User.objects.get(username="leader")
    reporter = user(*REPORTER)
    demo_collectives = list(
        Collective.objects.filter(status=Status.REGISTERED, leader_account__username__startswith="leader")
        .select_related("region", "industry", "registering_node", "leader_account")
        .order_by("pk")
    )
    by_name = {collective.name: collective for collective in demo_collectives}
    bus_team = by_name.get(LEADER_BUS_TEAM)
    if bus_team and bus_team.leader_account_id == leader.pk:
        _authorisation, created = ReportAuthorisation.objects.get_or_create(collective=bus_team, user=reporter)
        if created:
            record(bus_team, actor=leader, action="authorise_reporter", comment=reporter.get_full_name())
    created = 0
    for collective in demo_collectives:
        rng = random.Random(f"activities:{collective.workplace_unit}:{collective.name}")
        for spec in plan(rng, collective, campaigns, today, reporter):
            created += _report(rng, collective, campaigns, spec, today)
    summaries = _annual_summary(by_name.get(LEADER_NAMED), leader, today.year - 1)
    stdout.write(
        f"Campaigns: {Campaign.objects.count()} in all. Activity reports: {created} created, "
        f"{ActivityReport.objects.count()} in all. Annual summaries: {summaries} created."
    )


def seed_campaigns(today):
    """The three demo campaigns by key, created (with the launch audit record) unless their title exists."""
    aq_admin, ah_admin = User.objects.get(username="aq_admin"), User.objects.get(username="ah_admin")
    dream_starts, dream_ends = date(today.year, 3, 1), date(today.year, 6, 30)
    if dream_ends >= today:  # Seeded in the first half of a year: the campaign is still over, just shorter ago.
        dream_ends = today - timedelta(days=1)
        dream_starts = dream_ends - timedelta(days=90)
    open_starts = today - timedelta(days=10)
    definitions = {
        OPEN_WEEK: dict(
            node=committee("340800"),
            created_by=aq_admin,
            title=f"{today.year}年青年文明号开放周",
            theme="亮号行动",
            description=(
                "全市各级青年文明号集体在开放周期间向社会开放服务窗口和工作现场。统一行动日集中开展“亮号行动”：亮明"
                "青年文明号标识、服务承诺和监督电话，邀请群众走进岗位体验服务流程，开展志愿服务和便民服务。"
                "请各集体在开放周结束前报送活动报告，并附现场照片。"
            ),
            starts_on=open_starts,
            ends_on=today + timedelta(days=20),
            action_starts_on=open_starts + timedelta(days=7),
            action_ends_on=open_starts + timedelta(days=13),
            report_kinds=[K.OPEN_WEEK, K.VOLUNTEER, K.PUBLIC_SERVICE],
            includes_aspiring=True,
        ),
        DREAM: dict(
            node=committee("340800"),
            created_by=aq_admin,
            title="我的中国梦·青春建功新时代",
            theme="青春心向党·建功新时代",
            description=(
                "围绕五四青年节，组织青年开展理论学习、岗位练兵、创新创效和文化活动，引导青年在岗位上建功立业。"
            ),
            starts_on=dream_starts,
            ends_on=dream_ends,
            report_kinds=[K.STUDY, K.SKILLS, K.INNOVATION, K.CULTURE],
            includes_aspiring=True,
        ),
        CIVILISED_CITY: dict(
            node=committee("340000"),
            created_by=ah_admin,
            title="青年文明号与创建文明城市同行",
            theme="文明城市共建",
            description=(
                "全省青年文明号集体全年围绕创建文明城市，开展文明劝导、环境整治、关爱“一老一小”等志愿服务，"
                "延伸岗位服务，走进社区和乡村开展便民服务。志愿服务请按成员填报服务时长。"
            ),
            starts_on=date(today.year, 1, 1),
            ends_on=date(today.year, 12, 31),
            report_kinds=[K.VOLUNTEER, K.PUBLIC_SERVICE],
            includes_aspiring=True,
        ),
    }
    campaigns = {}
    for key, fields in definitions.items():
        campaign = Campaign.objects.filter(node=fields["node"], title=fields["title"]).first()
        if campaign is None:
            campaign = Campaign.objects.create(**fields)
            record(campaign, actor=campaign.created_by, action="launch", comment=campaign.title)
        campaigns[key] = campaign
    return campaigns


def plan(rng, collective, campaigns, today, reporter):
    """The reports `collective` files: fixed ones for 王晓明's two collectives and the moderation examples, drawn
    ones (1–4 in all) for the others."""
    name = collective.name
    if name in NO_REPORTS:
        return []
    if name == LEADER_BUS_TEAM:
        action_day = min(campaigns[OPEN_WEEK].action_starts_on or today, today)
        return [
            Spec(OPEN_WEEK, K.VOLUNTEER, LEADER_BUS_REPORTS[0], held_on=action_day, hours=4, photos=2),
            Spec(DREAM, K.SKILLS, LEADER_BUS_REPORTS[1]),
            Spec(CIVILISED_CITY, K.PUBLIC_SERVICE, PUBLIC_SERVICE_BY_INDUSTRY["transport"], hours=3, filed_by=reporter),
        ]
    if name == LEADER_NAMED:
        last_year = today.year - 1
        return [
            Spec(OPEN_WEEK, K.OPEN_WEEK, OPEN_WEEK_BY_INDUSTRY["power"], photos=1),
            Spec(CIVILISED_CITY, K.VOLUNTEER, VOLUNTEER[0], hours=4),
            Spec(None, K.VOLUNTEER, LEADER_NAMED_LAST_YEAR[0], held_on=date(last_year, 7, 18), hours=4),
            Spec(None, K.PUBLIC_SERVICE, LEADER_NAMED_LAST_YEAR[1], held_on=date(last_year, 12, 6), hours=3),
        ]
    specs = []
    if name == "大观区第一税务分局办税服务厅":
        specs.append(Spec(CIVILISED_CITY, K.VOLUNTEER, FLAGGED, hours=3, flag_reason=FLAG_REASON))
    elif name == "宜秀区第一税务分局办税服务厅":
        specs.append(Spec(DREAM, K.STUDY, INTERNAL_STUDY, public=False))
    elif name == "桐城市营业部":
        specs.append(Spec(DREAM, K.INNOVATION, INTERNAL_INNOVATION, public=False))
    industry = collective.industry.code
    if name not in OPEN_WEEK_MISSING:
        kinds = [K.OPEN_WEEK, K.OPEN_WEEK, K.VOLUNTEER, K.PUBLIC_SERVICE]
        kind, template = _template(rng, rng.choice(kinds), industry, specs)
        specs.append(Spec(OPEN_WEEK, kind, template, photos=rng.choice([0, 0, 1, 2])))
    if rng.random() < 0.6 and len(specs) < 4:
        kind, template = _template(rng, rng.choice(list(DREAM_KINDS)), industry, specs)
        specs.append(Spec(DREAM, kind, template))
    if (rng.random() < 0.5 or not specs) and len(specs) < 4:
        kind, template = _template(rng, rng.choice([K.VOLUNTEER, K.PUBLIC_SERVICE]), industry, specs)
        specs.append(Spec(CIVILISED_CITY, kind, template))
    return specs


def _template(rng, kind, industry, specs):
    """(kind, template): a template of `kind` whose title the collective has not used yet, else an unused volunteer one."""
    if kind == K.OPEN_WEEK:
        choices = [OPEN_WEEK_BY_INDUSTRY[industry]]
    elif kind == K.PUBLIC_SERVICE:
        choices = [PUBLIC_SERVICE_BY_INDUSTRY[industry]]
    elif kind == K.VOLUNTEER:
        choices = VOLUNTEER
    else:
        choices = DREAM_KINDS[kind]
    used = {spec.template[0] for spec in specs}
    unused = [template for template in choices if template[0] not in used]
    if unused:
        return kind, rng.choice(unused)
    return K.VOLUNTEER, rng.choice([template for template in VOLUNTEER if template[0] not in used])


def _report(rng, collective, campaigns, spec, today):
    """Create the report of `spec` unless the collective has one with that title; 1 if created."""
    title, place, narrative, participant_range, served_range = spec.template
    campaign = campaigns[spec.campaign] if spec.campaign else None
    # Everything random is drawn before the existence check, so a collective's contents never depend on it.
    held_on = spec.held_on or _day_in(rng, campaign.starts_on, min(campaign.ends_on, today))
    participants, served, small = rng.randint(*participant_range), rng.randint(*served_range), rng.randint(5, 15)
    members = list(collective.members.order_by("pk"))
    with_hours = spec.kind in K.with_hours()
    count = spec.hours or (rng.randint(2, 5) if with_hours else 0)
    serving = rng.sample(members, min(count, len(members))) if with_hours else []
    hours = {member: Decimal(rng.randint(1, 12)) / 2 for member in serving}  # 0.5–6 hours each
    if collective.reports.filter(title=title).exists():
        return 0
    county = collective.region.name
    # 安庆市公安局大观区分支 → 安庆市公安局 (会议室, 职工之家…)
    unit = collective.workplace_unit.removesuffix(f"{county}分支")
    values = {"name": collective.name, "unit": unit, "county": county, "p": participants, "b": served, "k": small}
    report = ActivityReport(
        collective=collective,
        campaign=campaign,
        kind=spec.kind,
        title=title,
        held_on=held_on,
        place=place.format(**values),
        participants=max(participants, len(hours)),
        beneficiaries=served,
        narrative=narrative.format(**values),
        is_public=spec.public,
        created_by=spec.filed_by or collective.leader_account,
    )
    # As workflow.save_report: the place is copied from the collective, the hours recorded at the day's rate.
    report.copy_place_from(collective)
    report.save()
    workflow.record_hours(report, hours, report.created_by)
    for index in range(spec.photos):
        _save_photo(report, f"{collective.name}:{title}:{index}")
    if spec.flag_reason:
        reviewer = User.objects.get(username="dg_reviewer")
        services.flag(report, reviewer, spec.flag_reason)
    return 1


def _day_in(rng, first, last):
    return first + timedelta(days=rng.randint(0, max((last - first).days, 0)))


def _save_photo(report, seed):
    """A generated photo, processed and stored as an upload is (workflow.save_report)."""
    image, thumbnail = process_photo(demo_photo(seed))
    photo = ReportPhoto(report=report)
    photo.image.save("photo.jpg", image, save=False)
    photo.thumbnail.save("thumb.jpg", thumbnail, save=False)
    photo.save()
    return photo


def demo_photo(seed, size=(800, 600)):
    """An 800×600 JPEG upload: a sky gradient, the sun, hills, a building with windows, a red banner and a few
    figures, in colours drawn from `seed`."""
    rng = random.Random(seed)
    width, height = size
    top = (rng.randint(60, 140), rng.randint(120, 190), rng.randint(200, 250))
    bottom = (rng.randint(220, 255), rng.randint(200, 240), rng.randint(150, 210))
    picture = Image.new("RGB", size)
    draw = ImageDraw.Draw(picture)
    for y in range(height):
        t = y / (height - 1)
        draw.line([(0, y), (width, y)], fill=tuple(round(a + (b - a) * t) for a, b in zip(top, bottom)))
    sun_x, sun_y = rng.randint(80, width - 80), rng.randint(50, 160)
    draw.ellipse([sun_x - 45, sun_y - 45, sun_x + 45, sun_y + 45], fill=(255, rng.randint(200, 235), 120))
    green = (rng.randint(60, 110), rng.randint(130, 170), rng.randint(70, 110))
    points = [(0, height)] + [(x, rng.randint(330, 420)) for x in range(0, width + 100, 100)] + [(width, height)]
    draw.polygon(points, fill=green)
    left = rng.randint(60, 360)
    draw.rectangle([left, 220, left + 300, 470], fill=(rng.randint(200, 235),) * 3, outline=(120, 120, 120), width=3)
    for row in range(4):
        for column in range(5):
            x, y = left + 20 + column * 56, 240 + row * 48
            draw.rectangle([x, y, x + 36, y + 28], fill=(110, 160, 210))
    draw.rectangle([left + 30, 180, left + 270, 215], fill=(200, 30, 40))  # the 亮号 banner
    draw.rectangle([0, 470, width, height], fill=(150, 150, 145))
    for index in range(rng.randint(3, 6)):
        x = 60 + index * rng.randint(100, 130)
        colour = (200, 30, 40) if rng.random() < 0.6 else (40, 70, 160)  # volunteers' red vests, staff uniforms
        draw.ellipse([x, 440, x + 30, 470], fill=(240, 200, 170))
        draw.rectangle([x - 5, 470, x + 35, 540], fill=colour)
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=88)
    return SimpleUploadedFile("demo.jpg", buffer.getvalue(), content_type="image/jpeg")


def _annual_summary(collective, leader, year):
    """Last year's summary for 王晓明's named collective (none for the other named ones); 1 if created."""
    if collective is None or not collective.honor_level:
        return 0
    narrative = ANNUAL_SUMMARY.format(year=year, name=collective.name)
    _summary, created = AnnualSummary.objects.get_or_create(
        collective=collective, year=year, defaults={"narrative": narrative, "filed_by": leader}
    )
    return int(created)
