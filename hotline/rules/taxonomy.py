"""Code lists of the standard: channels, appeal types, domains, urgency, methods.

Clause references point at the regional standard "12345 政务服务便民热线诉求处置规范"
(see ``shared/spec/standard-12345.txt``).  The domain list is the standard's first level;
the sub-categories below it are this project's default tree, which a centre edits in the
admin (it lives in the database once seeded).
"""

from __future__ import annotations

from hotline.rules.choices import Term, Vocabulary

# §5.1, §6.1.3 — where an appeal came from.  Codes are used by channel clients (issue 6).
CHANNELS = Vocabulary(
    "channel",
    [
        Term("phone", "热线电话", "§5.1"),
        Term("portal", "门户网站", "§5.1"),
        Term("app", "移动客户端", "§5.1"),
        Term("miniprogram", "小程序", "§5.1"),
        Term("grid", "网格员采集", "§5.1"),
        Term("other", "其他渠道", "§5.1"),
    ],
)

# §5.4.1 — type by content.
APPEAL_TYPES = Vocabulary(
    "appeal_type",
    [
        Term("consult", "咨询", "§5.4.1 a"),
        Term("help", "求助", "§5.4.1 b"),
        Term("complaint", "投诉", "§5.4.1 c"),
        Term("report", "举报", "§5.4.1 d"),
        Term("suggestion", "建议", "§5.4.1 e"),
        Term("praise", "表扬", "§5.4.1 f"),
        Term("invalid", "无效", "§5.4.1 g"),
    ],
)

# §5.4.2 — the twelve domains (归口分类), first level of the category tree.
DOMAINS = Vocabulary(
    "domain",
    [
        Term("public_safety", "公共安全", "§5.4.2 a"),
        Term("urban_rural", "城乡建设", "§5.4.2 b"),
        Term("housing", "住房保障", "§5.4.2 c"),
        Term("environment", "环境保护", "§5.4.2 d"),
        Term("transport", "交通出行", "§5.4.2 e"),
        Term("education_culture", "科教文旅", "§5.4.2 f"),
        Term("health", "医疗卫生", "§5.4.2 g"),
        Term("economy", "经济综合", "§5.4.2 h"),
        Term("livelihood", "民生保障", "§5.4.2 i"),
        Term("public_service", "公共服务", "§5.4.2 j"),
        Term("agriculture", "农林水土", "§5.4.2 k"),
        Term("party_government", "党务政务", "§5.4.2 l"),
    ],
)

# Default second level, written for this project.  ``code`` is unique across the tree.
DEFAULT_SUBCATEGORIES: dict[str, list[tuple[str, str]]] = {
    "public_safety": [
        ("fire_hazard", "消防隐患"),
        ("public_order", "治安秩序"),
        ("food_safety", "食品安全"),
        ("production_safety", "安全生产"),
        ("hazardous_building", "危房险情"),
    ],
    "urban_rural": [
        ("street_light", "路灯照明"),
        ("road_facility", "市政道路设施"),
        ("drainage", "排水管网与井盖"),
        ("illegal_building", "违法建设"),
        ("city_appearance", "市容秩序"),
        ("landscaping", "园林绿化"),
        ("construction_site", "施工管理"),
    ],
    "housing": [
        ("property_management", "物业管理"),
        ("housing_maintenance", "房屋维修"),
        ("affordable_housing", "保障性住房"),
        ("real_estate", "房产交易与办证"),
        ("demolition", "征收拆迁"),
    ],
    "environment": [
        ("noise", "噪声污染"),
        ("air_pollution", "大气污染"),
        ("water_pollution", "水污染"),
        ("waste", "垃圾清运与分类"),
        ("oil_fume", "餐饮油烟"),
    ],
    "transport": [
        ("public_transit", "公交运营"),
        ("taxi", "出租车与网约车"),
        ("traffic_facility", "交通设施与信号灯"),
        ("parking", "停车管理"),
        ("road_congestion", "道路拥堵"),
    ],
    "education_culture": [
        ("school_enrollment", "入学招生"),
        ("school_fees", "教育收费"),
        ("training_institution", "校外培训"),
        ("culture_tourism", "文化旅游"),
        ("sports_venue", "体育场馆"),
    ],
    "health": [
        ("medical_service", "医疗服务"),
        ("medical_insurance", "医保报销"),
        ("epidemic_prevention", "疾病防控"),
        ("drug_safety", "药品安全"),
        ("family_planning", "生育服务"),
    ],
    "economy": [
        ("market_regulation", "市场监管与消费维权"),
        ("business_environment", "营商环境"),
        ("price", "价格收费"),
        ("tax", "税务"),
        ("enterprise_service", "企业服务"),
    ],
    "livelihood": [
        ("wage_arrears", "拖欠工资"),
        ("social_insurance", "社会保险"),
        ("employment", "就业创业"),
        ("social_assistance", "社会救助与低保"),
        ("elderly_care", "养老服务"),
        ("disability", "残疾人服务"),
    ],
    "public_service": [
        ("water_supply", "供水"),
        ("power_supply", "供电"),
        ("gas_supply", "供气"),
        ("heating", "供暖"),
        ("telecom", "通信网络"),
        ("government_service", "政务服务办事"),
    ],
    "agriculture": [
        ("farmland", "耕地与土地"),
        ("forestry", "林业草原"),
        ("water_conservancy", "水利"),
        ("animal_husbandry", "畜牧兽医"),
        ("agri_subsidy", "惠农补贴"),
    ],
    "party_government": [
        ("work_style", "干部作风"),
        ("government_affairs", "政务公开"),
        ("village_affairs", "村务公开"),
        ("administrative_efficiency", "行政效能"),
    ],
}

# §6.1.7 — urgency, with the badge colour used on every page.
URGENCY = Vocabulary(
    "urgency",
    [
        Term("normal", "一般", "§6.1.7", "secondary"),
        Term("urgent", "紧急", "§6.1.7", "warning"),
        Term("very_urgent", "非常紧急", "§6.1.7", "danger"),
    ],
)

# §6.1.6 — personal-info display mode (个人信息显示方式).
DISPLAY_MODES = Vocabulary(
    "display_mode",
    [
        Term("public", "公开", "§6.1.6"),
        Term("confidential", "保密", "§6.1.6", help="承办单位只看到脱敏后的姓名和电话"),
    ],
)

# §6.1.2 — forms of an appeal, stored as attachments.
ATTACHMENT_KINDS = Vocabulary(
    "attachment_kind",
    [
        Term("voice", "语音", "§6.1.2"),
        Term("image", "图片", "§6.1.2"),
        Term("video", "视频", "§6.1.2"),
        Term("document", "文字材料", "§6.1.2"),
    ],
)

# §6.5 a–d — supervision methods, in escalation order.
SUPERVISION_METHODS = Vocabulary(
    "supervision_method",
    [
        Term("smart", "智能督办", "§6.5 a", "info"),
        Term("phone", "电话督办", "§6.5 b", "warning"),
        Term("sms", "短信督办", "§6.5 c", "orange"),
        Term("other", "其他形式督办", "§6.5 d", "danger"),
    ],
)

# §6.5 d — the forms "other" supervision takes.
OTHER_SUPERVISION_FORMS = Vocabulary(
    "other_supervision_form",
    [
        Term("joint_meeting", "联席会议", "§6.5 d"),
        Term("onsite", "现场协调", "§6.5 d"),
        Term("integrity_hotline", "政风热线", "§6.5 d"),
        Term("media", "媒体监督", "§6.5 d"),
        Term("notification", "通报约谈", "§6.5 d"),
    ],
)

# §6.8.2 — callback methods and whether a person or the system made the callback.
CALLBACK_METHODS = Vocabulary(
    "callback_method",
    [
        Term("phone", "电话", "§6.8.2"),
        Term("sms", "短信", "§6.8.2"),
        Term("wechat", "微信", "§6.8.2"),
        Term("other", "其他", "§6.8.2"),
    ],
)
CALLBACK_MODES = Vocabulary(
    "callback_mode",
    [Term("manual", "人工", "§6.8.2"), Term("smart", "智能", "§6.8.2")],
)

# §6.8.3 — satisfaction and resolution.  ``unreachable`` records a failed attempt.
SATISFACTION = Vocabulary(
    "satisfaction",
    [
        Term("satisfied", "满意", "§6.8.3", "success"),
        Term("basically_satisfied", "基本满意", "§6.8.3", "info"),
        Term("unsatisfied", "不满意", "§6.8.3", "danger"),
    ],
)
RESOLUTION = Vocabulary(
    "resolution",
    [
        Term("resolved", "已解决", "§6.8.3", "success"),
        Term("unresolved", "未解决", "§6.8.3", "danger"),
    ],
)
CALLBACK_OUTCOMES = Vocabulary(
    "callback_outcome",
    [
        Term("reached", "已联系上", "§6.8.1", "success"),
        Term("unreachable", "未接通", "§6.8.1", "warning"),
        Term("refused", "拒绝回访", "§6.8.1", "secondary"),
    ],
)

# Roles (§4).  ``unit`` users belong to a handling unit (承办单位).
ROLES = Vocabulary(
    "role",
    [
        Term("agent", "受理员", "§4.1 c"),
        Term("reviewer", "审核员", "§6.2"),
        Term("unit", "承办单位", "§4.2"),
        Term("supervisor", "督办员", "§6.5"),
        Term("callback", "回访员", "§6.8"),
        Term("admin", "管理员", "§4.1 b"),
        Term("leader", "领导", "§4.1 b"),
    ],
)

# Kinds of handling unit (§4.2): competent departments, owners and maintainers of components.
UNIT_KINDS = Vocabulary(
    "unit_kind",
    [
        Term("centre", "热线服务机构", "§4.1"),
        Term("government", "人民政府", "§4.2"),
        Term("department", "主管部门", "§4.2"),
        Term("street", "街道/乡镇", "§4.2"),
        Term("community", "社区/村", "§4.2"),
        Term("owner", "部件权属单位", "§4.2"),
        Term("maintainer", "部件养护单位", "§4.2"),
        Term("enterprise", "公共服务企业", "§4.2"),
        Term("emergency", "应急部门", "§6.4.4"),
    ],
)

AREA_LEVELS = Vocabulary(
    "area_level",
    [
        Term("city", "市"),
        Term("district", "区/县/旗"),
        Term("street", "街道/乡镇"),
        Term("community", "社区/村"),
    ],
)

# Public components (部件) whose owners and maintainers are handling units (§4.2).
COMPONENT_TYPES = Vocabulary(
    "component_type",
    [
        Term("street_lamp", "路灯"),
        Term("manhole_cover", "井盖"),
        Term("traffic_light", "交通信号灯"),
        Term("bus_stop", "公交站亭"),
        Term("water_pipe", "供水管道"),
        Term("gas_pipe", "燃气管道"),
        Term("heating_pipe", "供热管道"),
        Term("power_line", "电力线路"),
        Term("green_belt", "绿化带"),
        Term("road_surface", "路面"),
        Term("trash_bin", "垃圾箱"),
        Term("telecom_cable", "通信线缆"),
    ],
)
