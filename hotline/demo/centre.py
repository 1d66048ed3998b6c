"""The demo centre: a prefecture-level city with three districts, their streets and
communities, 61 handling units and one user per role.  Written for this project."""

from __future__ import annotations

CITY = ("wuhai", "乌海市")

# district code, name, aliases, [(street code, street name, [community names])]
DISTRICTS = [
    (
        "haibowan",
        "海勃湾区",
        "海勃湾",
        [
            ("hbw-xinhua", "新华街道", ["新华社区", "康乐社区", "光明社区"]),
            ("hbw-xinhuaxi", "新华西街道", ["胜利社区", "团结社区"]),
            ("hbw-fenghuangling", "凤凰岭街道", ["凤凰社区", "金泉社区"]),
            ("hbw-haibei", "海北街道", ["海北社区", "北环社区"]),
            ("hbw-binhe", "滨河街道", ["滨河社区", "黄河社区"]),
            ("hbw-qianlishan", "千里山镇", ["千里山村", "团结村"]),
        ],
    ),
    (
        "wuda",
        "乌达区",
        "乌达",
        [
            ("wd-sandaokan", "三道坎街道", ["三道坎社区", "新风社区"]),
            ("wd-wuhushan", "五虎山街道", ["五虎山社区", "矿区社区"]),
            ("wd-liangjiagou", "梁家沟街道", ["梁家沟社区", "和平社区"]),
            ("wd-wulannaoer", "乌兰淖尔镇", ["乌兰淖尔村", "苏海图村"]),
        ],
    ),
    (
        "hainan",
        "海南区",
        "海南",
        [
            ("hn-lasengmiao", "拉僧庙镇", ["拉僧庙村", "赛汗乌素村"]),
            ("hn-bayintaohai", "巴音陶亥镇", ["巴音陶亥村", "万亩滩村"]),
            ("hn-gongwusu", "公乌素镇", ["公乌素社区", "新地社区"]),
            ("hn-xizhuozishan", "西卓子山街道", ["卓子山社区", "西山社区"]),
        ],
    ),
]

# Units: code, name, kind, parent code, jurisdiction (area codes; empty = whole city),
# responsibilities (category codes), component types.
CITY_DEPARTMENTS = [
    (
        "city-zjj",
        "市住房和城乡建设局",
        "department",
        ["property_management", "housing_maintenance", "construction_site", "real_estate"],
        [],
    ),
    ("city-sthj", "市生态环境局", "department", ["air_pollution", "water_pollution", "noise"], []),
    ("city-jtys", "市交通运输局", "department", ["public_transit", "taxi", "road_congestion"], []),
    (
        "city-jyj",
        "市教育局",
        "department",
        ["school_enrollment", "school_fees", "training_institution"],
        [],
    ),
    (
        "city-wjw",
        "市卫生健康委员会",
        "department",
        ["medical_service", "epidemic_prevention", "family_planning"],
        [],
    ),
    (
        "city-scjg",
        "市市场监督管理局",
        "department",
        ["market_regulation", "price", "food_safety", "drug_safety"],
        [],
    ),
    (
        "city-rsj",
        "市人力资源和社会保障局",
        "department",
        ["wage_arrears", "social_insurance", "employment"],
        [],
    ),
    (
        "city-gaj",
        "市公安局",
        "department",
        ["public_order", "parking", "traffic_facility"],
        ["traffic_light"],
    ),
    (
        "city-yjj",
        "市应急管理局",
        "emergency",
        ["production_safety", "hazardous_building", "fire_hazard"],
        [],
    ),
    (
        "city-cgj",
        "市城市管理综合执法局",
        "department",
        ["city_appearance", "illegal_building", "oil_fume", "waste"],
        ["trash_bin"],
    ),
    ("city-zrzy", "市自然资源局", "department", ["farmland", "forestry", "demolition"], []),
    ("city-nmj", "市农牧局", "department", ["animal_husbandry", "agri_subsidy"], []),
    ("city-swj", "市水务局", "department", ["water_conservancy", "drainage"], ["manhole_cover"]),
    ("city-ybj", "市医疗保障局", "department", ["medical_insurance"], []),
    ("city-mzj", "市民政局", "department", ["social_assistance", "elderly_care", "disability"], []),
    ("city-wlt", "市文化旅游体育局", "department", ["culture_tourism", "sports_venue"], []),
    (
        "city-zwfw",
        "市政务服务与数据管理局",
        "department",
        ["government_service", "government_affairs", "administrative_efficiency"],
        [],
    ),
    ("city-tax", "国家税务总局乌海市税务局", "department", ["tax"], []),
    (
        "city-fgw",
        "市发展和改革委员会",
        "department",
        ["business_environment", "enterprise_service"],
        [],
    ),
    ("city-zfj", "市住房保障服务中心", "department", ["affordable_housing"], []),
    ("city-jw", "市纪委监委（政风热线）", "department", ["work_style"], []),
]

ENTERPRISES = [
    ("ent-power", "乌海供电公司", "enterprise", ["power_supply"], ["power_line"]),
    ("ent-water", "乌海市自来水公司", "enterprise", ["water_supply"], ["water_pipe"]),
    ("ent-gas", "乌海市燃气公司", "enterprise", ["gas_supply"], ["gas_pipe"]),
    ("ent-heat", "乌海市热力公司", "enterprise", ["heating"], ["heating_pipe"]),
    ("ent-bus", "乌海市公共交通公司", "enterprise", ["public_transit"], ["bus_stop"]),
    ("ent-telecom", "中国移动乌海分公司", "enterprise", ["telecom"], ["telecom_cable"]),
]

# Per district: its government, departments, maintainers; streets become units too.
DISTRICT_UNITS = [
    (
        "{d}-zjj",
        "{n}住房和城乡建设局",
        "department",
        ["property_management", "housing_maintenance", "construction_site", "illegal_building"],
        [],
    ),
    (
        "{d}-szyh",
        "{n}市政养护中心",
        "maintainer",
        ["street_light", "road_facility", "drainage", "landscaping"],
        ["street_lamp", "manhole_cover", "road_surface", "green_belt"],
    ),
    (
        "{d}-cgj",
        "{n}城市管理综合执法局",
        "department",
        ["city_appearance", "oil_fume", "waste", "illegal_building"],
        ["trash_bin"],
    ),
    (
        "{d}-sthj",
        "{n}生态环境分局",
        "department",
        ["noise", "air_pollution", "water_pollution"],
        [],
    ),
    (
        "{d}-jyj",
        "{n}教育局",
        "department",
        ["school_enrollment", "school_fees", "training_institution"],
        [],
    ),
]

PASSWORD = "hotline12345"

# username, family name, given name, role, unit code
USERS = [
    ("admin", "管", "理员", "admin", None),
    ("agent", "张", "敏", "agent", "centre"),
    ("agent2", "李", "娜", "agent", "centre"),
    ("reviewer", "王", "强", "reviewer", "centre"),
    ("supervisor", "赵", "磊", "supervisor", "centre"),
    ("callback", "孙", "丽", "callback", "centre"),
    ("leader", "周", "建国", "leader", "centre"),
]
