"""Demo knowledge entries of the 乌海 demo centre, written for hotline (not taken from any
data set): answers a unit would give about common consultations.  Most are published;
some are past their review date, some are drafts or waiting for the centre, one expired.
Built straight into the tables (one version row each), so the demo stays fast."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from hotline import clock

P, D, W, X = "published", "draft", "pending", "expired"

# unit code, category code, state, title, question forms, answer, review in days (negative:
# already past review), keywords
ENTRIES = [
    (
        "city-rsj",
        "social_insurance",
        P,
        "灵活就业人员如何参加城镇职工养老保险",
        "自由职业怎么交社保\n灵活就业社保在哪里办\n没有单位能自己交养老保险吗",
        "年满16周岁、在本市从事个体经营或灵活就业的人员，可持身份证到市政务服务中心社保窗口或在“蒙速办”APP办理灵活就业人员参保登记。缴费基数在全省上年度平均工资的60%至300%之间自选，按月或按年缴纳，银行代扣。已在其他单位参保的，不能重复参保。",
        120,
        "灵活就业,个人参保",
    ),
    (
        "city-rsj",
        "employment",
        P,
        "失业保险金申领条件和办理渠道",
        "失业了能领失业金吗\n失业保险金怎么申请\n被辞退后去哪里领失业金",
        "非本人意愿中断就业、失业前所在单位和本人已累计缴纳失业保险费满1年、已办理失业登记并有求职要求的，可申领失业保险金。可通过电子社保卡、“蒙速办”APP线上申领，或到户籍或参保地人社部门窗口办理，审核通过后按月发放至本人社保卡银行账户。",
        90,
        "失业金,失业登记",
    ),
    (
        "city-rsj",
        "wage_arrears",
        P,
        "被拖欠工资如何维权",
        "老板不给发工资怎么办\n农民工工资被拖欠找谁\n工地欠薪去哪里投诉",
        "可携带劳动合同、工资条、考勤记录等证据，到用人单位所在地区人社局劳动保障监察机构投诉，也可申请劳动仲裁。工程建设领域拖欠农民工工资的，按《保障农民工工资支付条例》由施工总承包单位先行清偿。热线可登记工单转劳动保障监察部门核查。",
        -20,
        "欠薪,劳动监察",
    ),
    (
        "city-rsj",
        "employment",
        W,
        "创业担保贷款申请条件",
        "创业贷款怎么申请\n大学生创业能贷款吗",
        "符合条件的城镇登记失业人员、高校毕业生、退役军人等创业者可申请个人创业担保贷款，最高额度30万元，期限不超过3年，按规定享受财政贴息。申请材料：身份证、营业执照、创业计划书等，向户籍或创业所在地就业服务机构提出。",
        180,
        "创业担保贷款",
    ),
    (
        "city-ybj",
        "medical_insurance",
        P,
        "异地就医备案办理方式",
        "去外地看病怎么备案\n异地就医医保能报销吗\n在外省住院怎么直接结算",
        "参保人员可通过国家医保服务平台APP、“蒙速办”APP或医保经办窗口办理异地就医备案，备案后在就医地定点医疗机构可直接结算。异地长期居住人员提交个人承诺即可；临时外出就医人员备案有效期6个月。未备案先行就医的，可回参保地按规定手工报销，报销比例相应降低。",
        150,
        "异地就医,备案",
    ),
    (
        "city-ybj",
        "medical_insurance",
        P,
        "城乡居民医保缴费时间和标准",
        "居民医保什么时候交\n新农合今年交多少钱\n孩子医保怎么交费",
        "城乡居民基本医疗保险集中缴费期一般为每年9月至12月，缴纳次年度的保费，个人缴费标准以当年自治区公布为准。可通过“蒙速办”APP、微信或支付宝“城乡居民医保缴费”、银行网点缴纳。新生儿在出生后90日内参保缴费的，自出生之日起享受待遇。",
        -45,
        "居民医保,缴费",
    ),
    (
        "city-ybj",
        "medical_insurance",
        P,
        "门诊慢特病待遇如何申请",
        "高血压糖尿病门诊能报销吗\n慢性病卡怎么办理",
        "患有高血压、糖尿病等规定病种的参保人员，可在定点医疗机构由医生填写门诊慢特病申请表并提交病历、检查报告，经医保经办机构认定后享受门诊慢特病待遇，在定点机构就医时直接结算。",
        200,
        "慢特病",
    ),
    (
        "city-mzj",
        "social_assistance",
        P,
        "最低生活保障申请条件",
        "低保怎么申请\n家里困难能吃低保吗\n低保需要什么材料",
        "共同生活的家庭成员人均收入低于当地低保标准，且家庭财产符合规定的，可由本人向户籍所在地乡镇人民政府（街道办事处）提出申请，也可委托村（居）委会代为提出。需提供身份证、户口簿、家庭收入和财产情况说明等材料，经入户调查、民主评议、公示后审批。",
        60,
        "低保,最低生活保障",
    ),
    (
        "city-mzj",
        "elderly_care",
        P,
        "高龄津贴发放标准和申领",
        "八十岁老人有补贴吗\n高龄补贴怎么领\n老人津贴多久发一次",
        "具有本市户籍、年满80周岁的老年人可享受高龄津贴，按年龄段分档发放，按季度打卡发放至本人账户。老人满80周岁后由本人或家属持身份证、户口簿、银行卡到户籍所在社区申报，社区初审、街道审核、民政局审批。",
        -10,
        "高龄津贴",
    ),
    (
        "city-mzj",
        "disability",
        D,
        "残疾人两项补贴申请流程",
        "残疾人补贴怎么领\n重度残疾护理补贴",
        "困难残疾人生活补贴和重度残疾人护理补贴，由残疾人本人或监护人持残疾人证、身份证、户口簿向户籍所在地街道（乡镇）提出申请，也可通过全国残疾人两项补贴网上申请平台办理。",
        90,
        "两项补贴",
    ),
    (
        "city-zjj",
        "property_management",
        P,
        "物业服务收费标准及投诉渠道",
        "物业费太贵了找谁\n物业乱收费怎么投诉\n物业不作为能不交物业费吗",
        "普通住宅前期物业服务收费实行政府指导价，具体标准由物业服务合同约定并在小区显著位置公示。对物业服务质量或收费有异议的，可先与物业企业协商，协商不成的可向小区所在地区住建部门或街道反映；业主不得以服务不满意为由拒交物业费，可通过业主大会依法更换物业企业。",
        100,
        "物业费,物业服务",
    ),
    (
        "city-zjj",
        "housing_maintenance",
        P,
        "住宅专项维修资金使用流程",
        "楼顶漏水能用维修基金吗\n维修资金怎么申请使用\n电梯坏了维修资金怎么用",
        "住宅共用部位、共用设施设备保修期满后需维修的，可申请使用住宅专项维修资金。由物业企业或业主委员会提出维修方案，经专有部分面积占比三分之二以上且人数占比三分之二以上的业主参与表决、参与表决业主双过半同意后，向区住建局申请拨付。危及房屋安全等紧急情况可走应急使用程序。",
        -30,
        "维修资金,漏水",
    ),
    (
        "city-zjj",
        "real_estate",
        P,
        "商品房办理不动产权证书需要多久",
        "买的新房什么时候能办房产证\n开发商不给办证怎么办",
        "商品房项目竣工验收备案并完成首次登记后，购房人可与开发企业共同申请转移登记。材料齐全的，不动产登记机构在5个工作日内办结。开发企业逾期未办理的，购房人可向市住建局或不动产登记中心反映，也可依合同约定追究违约责任。",
        160,
        "不动产登记,房产证",
    ),
    (
        "city-zjj",
        "construction_site",
        P,
        "建筑工地夜间施工的规定",
        "工地晚上施工吵得睡不着\n夜间施工允许到几点\n工地噪音扰民投诉",
        "城市建成区内，除抢修、抢险或因生产工艺要求必须连续作业并取得夜间施工证明的外，22时至次日6时禁止产生噪声的建筑施工作业。经批准夜间施工的须在工地公示。发现违规夜间施工可拨打12345，热线将转属地住建部门和生态环境部门查处。",
        120,
        "夜间施工,噪声",
    ),
    (
        "city-gaj",
        "public_order",
        P,
        "居住证办理条件及材料",
        "外地人怎么办居住证\n居住证需要什么材料\n居住证多久能拿到",
        "离开常住户口所在地，到本市居住半年以上，并有合法稳定就业、合法稳定住所或连续就读条件之一的，可向居住地派出所申领居住证。需提供身份证、近期照片、居住地住址证明以及就业或就读证明。符合条件的15日内发证。",
        240,
        "居住证",
    ),
    (
        "city-gaj",
        "public_order",
        P,
        "新生儿落户办理",
        "孩子出生了怎么上户口\n新生儿落户需要什么\n出生证明上户口",
        "新生儿出生后一个月内，由父母一方持《出生医学证明》、父母双方身份证、户口簿、结婚证到父或母户口所在地派出所申报出生登记，也可通过“出生一件事”联办在医院或线上办理。非婚生育的，提供亲子鉴定等材料按规定办理。",
        300,
        "落户,出生登记",
    ),
    (
        "city-gaj",
        "parking",
        P,
        "机动车违法停车处理和申诉",
        "违停罚单怎么处理\n被贴条了觉得冤怎么申诉",
        "机动车违法停车的处罚可通过“交管12123”APP或交警大队窗口处理缴款。对违法记录有异议的，可在“交管12123”提交申诉或到违法行为发生地交警大队申请复核，一般在5个工作日内答复。",
        45,
        "违停,交管12123",
    ),
    (
        "city-jyj",
        "school_enrollment",
        P,
        "义务教育阶段新生入学报名",
        "孩子上小学怎么报名\n一年级什么时候报名\n学区怎么划分",
        "义务教育阶段招生实行免试就近入学，每年6月在“乌海市义务教育招生平台”网上报名，按户籍和房产所在学区划片招生。需准备户口簿、房产证或购房合同、居住证等。学区划分以当年教育局公布的招生简章为准。",
        -60,
        "入学,学区",
    ),
    (
        "city-jyj",
        "training_institution",
        P,
        "校外培训机构退费纠纷处理",
        "培训班不给退费怎么办\n校外培训跑路了找谁",
        "校外培训机构应按合同约定和《中小学生校外培训服务合同（示范文本）》办理退费，预收费用须纳入资金监管。发生退费纠纷的，可向教育部门投诉，或向市场监管部门反映；机构停业跑路的，可向公安机关报案。",
        150,
        "校外培训,退费",
    ),
    (
        "city-wjw",
        "medical_service",
        P,
        "医院就医投诉渠道",
        "对医院服务不满意去哪投诉\n看病被多收费找谁",
        "对医疗机构服务或诊疗有异议的，可先向该医院医务科或患者服务中心投诉；对处理结果不满意的，可向市卫生健康委员会投诉，医疗纠纷可申请医疗纠纷人民调解委员会调解或依法诉讼。医疗收费问题也可向医保和市场监管部门反映。",
        200,
        "医疗投诉",
    ),
    (
        "city-scjg",
        "market_regulation",
        P,
        "网购商品质量问题消费维权",
        "网上买的东西有质量问题怎么办\n商家不给退货找谁投诉\n七天无理由退货",
        "网购商品自收货之日起7日内可无理由退货（定制、鲜活易腐等除外）。发生消费纠纷，可先与商家和平台协商；协商不成，可通过全国12315平台或拨打12345转市场监管部门投诉，需提供订单截图、聊天记录和商品照片。",
        90,
        "12315,退货",
    ),
    (
        "city-scjg",
        "enterprise_service",
        P,
        "个体工商户营业执照办理",
        "开个小店怎么办营业执照\n个体户执照网上能办吗",
        "个体工商户登记可通过“内蒙古企业登记全程电子化平台”网上办理，或到市政务服务中心市场监管窗口办理。需提供经营者身份证、经营场所使用证明。材料齐全、符合法定形式的，当场或1个工作日内核发营业执照。",
        220,
        "营业执照,个体工商户",
    ),
    (
        "ent-heat",
        "heating",
        P,
        "供暖期时间及室温不达标报修",
        "今年什么时候开始供暖\n暖气不热找谁\n室温不达标能退费吗",
        "本市供暖期一般为每年10月15日至次年4月15日，具体以市政府当年通知为准。供暖期间卧室、起居室温度应不低于18℃。暖气不热可拨打热力公司24小时客服热线或12345报修，热力公司接报后24小时内上门检测；经检测室温不达标的，按规定退还相应天数的供暖费。",
        75,
        "供暖,暖气不热",
    ),
    (
        "ent-heat",
        "heating",
        X,
        "2024-2025年度供暖费缴费优惠",
        "暖气费早交有优惠吗",
        "2024年9月30日前缴纳2024-2025供暖期供暖费的，享受优惠。（该政策已到期。）",
        0,
        "供暖费",
    ),
    (
        "ent-water",
        "water_supply",
        P,
        "停水信息查询和水费缴纳",
        "家里突然停水了\n什么时候来水\n水费在哪交",
        "计划停水会提前24小时在自来水公司公众号和小区公告栏公布；突发停水可拨打自来水公司服务热线或12345查询抢修进度。水费可通过自来水公司公众号、支付宝、微信生活缴费或营业厅缴纳，居民用水实行阶梯水价。",
        110,
        "停水,水费,阶梯水价",
    ),
    (
        "ent-gas",
        "gas_supply",
        P,
        "燃气泄漏应急处置",
        "闻到煤气味怎么办\n燃气泄漏打什么电话",
        "闻到燃气异味时：立即关闭燃气总阀，打开门窗通风，不要开关电器、不要使用明火和手机，迅速撤离到室外后拨打燃气公司24小时抢修电话或119。燃气公司接报后30分钟内到达现场。",
        365,
        "燃气泄漏,安全",
    ),
    (
        "ent-power",
        "power_supply",
        P,
        "停电报修和电费查询",
        "家里停电了找谁修\n电费怎么查\n小区突然停电",
        "户内停电可先检查家中空气开关；小区或片区停电可拨打95598供电服务热线或通过“网上国网”APP报修、查询停电计划。电费可在“网上国网”APP查询和缴纳。",
        -5,
        "停电,95598",
    ),
    (
        "city-cgj",
        "oil_fume",
        P,
        "餐饮油烟扰民投诉处理",
        "楼下饭店油烟太大\n烧烤店油烟扰民找谁",
        "餐饮服务单位应安装油烟净化设施并保持正常使用，居民楼内未配套专用烟道的商住楼层禁止新建产生油烟的餐饮项目。油烟扰民可拨打12345，工单转属地城市管理综合执法部门现场检查，责令整改，拒不整改的依法处罚。",
        140,
        "油烟,扰民",
    ),
    (
        "city-cgj",
        "city_appearance",
        D,
        "占道经营的管理规定",
        "小区门口摆摊占道\n流动摊贩谁来管",
        "城市道路、桥梁、广场等公共场所不得擅自摆摊设点、占道经营。对占道经营行为，城管执法部门依法劝导、责令改正；疏导区和便民市场由属地街道统一规划。",
        60,
        "占道经营",
    ),
    (
        "city-zwfw",
        "government_service",
        P,
        "政务服务中心办公时间和预约",
        "政务大厅几点上班\n周末能办事吗\n办事需要预约吗",
        "市政务服务中心工作日上午9:00-12:00、下午13:30-17:30对外办公，周六上午提供部分高频事项“不打烊”服务。可通过“蒙速办”APP或中心公众号预约取号，大部分事项可网上办理、“一网通办”。",
        -90,
        "政务服务,一网通办",
    ),
    (
        "city-tax",
        "tax",
        P,
        "个人所得税年度汇算办理",
        "个税汇算怎么办\n个税退税在哪里申请",
        "每年3月1日至6月30日办理上一年度个人所得税综合所得年度汇算，可通过“个人所得税”APP自行办理，也可由扣缴单位代办。需要补税的须在6月30日前补缴；申请退税的，审核通过后税款退至本人银行账户。",
        210,
        "个税,汇算",
    ),
]


def reset() -> None:
    """Remove every entry (they protect their owner units from deletion)."""
    from hotline.knowledge.models import Entry, EntryUse

    # the stamp keeps counting: a running process notices the count changed and rebuilds
    EntryUse.objects.all().delete()
    Entry.objects.all().delete()


def build(now: datetime | None = None) -> None:
    from hotline.catalog.models import Category
    from hotline.knowledge.actions import next_stamp, snapshot
    from hotline.knowledge.models import Entry, EntryVersion
    from hotline.org.models import Unit, User

    now = now or clock.now()
    today = timezone.localdate(now)
    units = {u.code: u for u in Unit.objects.filter(code__in={e[0] for e in ENTRIES})}
    cats = {c.code: c for c in Category.objects.filter(code__in={e[1] for e in ENTRIES})}
    clerks = {u.unit_id: u for u in User.objects.filter(role="unit", unit__in=units.values())}
    admin = User.objects.filter(role="admin").first()
    for i, (ucode, ccode, state, title, questions, answer, review, kw) in enumerate(ENTRIES):
        unit, cat = units.get(ucode), cats.get(ccode)
        if unit is None or cat is None:
            continue
        clerk = clerks.get(unit.pk)
        created = now - timedelta(days=200 - i * 3)
        entry = Entry.objects.create(
            title=title,
            questions=questions,
            keywords=kw,
            answer=answer,
            category=cat,
            owner_unit=unit,
            effective_from=timezone.localdate(created),
            expires_on=today - timedelta(days=30) if state == X else None,
            review_on=today + timedelta(days=review) if state != X else None,
            state=state,
            usage_count=(i * 7) % 23 if state in (P, X) else 0,
            stamp=next_stamp(),
            created_by=clerk,
            created_at=created,
            updated_by=admin if state in (P, X) else clerk,
            updated_at=created + timedelta(days=2),
            published_at=created + timedelta(days=2) if state in (P, X) else None,
        )
        EntryVersion.objects.create(
            entry=entry,
            number=1,
            action="create",
            state=entry.state,
            changed=["title", "questions", "answer"],
            snapshot=snapshot(entry),
            actor=clerk,
            at=created,
        )
