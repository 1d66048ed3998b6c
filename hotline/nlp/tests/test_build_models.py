"""``make models``: the shipped models' training sets, the held-out split, provenance."""

import csv
import json

from hotline.nlp import build_models
from hotline.nlp.classifier import TextClassifier

# Written for this test: one short appeal per competition label.
APPEALS = {
    "城乡建设": "小区门口的路灯坏了好几天，晚上出行很不方便，请派人维修",
    "环境保护": "楼下饭店油烟直排，熏得整栋楼不能开窗，请环保部门查处",
    "交通运输": "这条公交线路班次太少，早高峰等车要四十分钟，请增加班次",
    "教育文体": "孩子今年上小学，学区划分一直没有公布，家长非常着急",
    "劳动和社会保障": "公司拖欠我们三个月工资不发，老板电话也打不通了",
    "卫生计生": "社区医院挂号排队太久，医生看诊态度也很差，请整改",
    "商贸旅游": "超市出售过期食品，投诉后商家拒不退款，请市场部门处理",
}


def _write(path, rows, glued=False):
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "title", "body", "label"])
        for i, (title, body, label) in enumerate(rows):
            w.writerow([i, "" if glued else title, title + body if glued else body, label])


def _data(tmp_path):
    rows = [
        (f"第{k}次反映", f"{text}（第{k}次）", label)
        for label, text in APPEALS.items()
        for k in range(6)
    ]
    _write(tmp_path / "teddy2020_train.csv", rows, glued=True)
    _write(tmp_path / "teddy2020_sample_labeled.csv", rows[:7])  # the same messages again
    return rows


def test_the_held_out_split_is_a_stable_fifth_decided_by_the_body():
    bodies = [f"第{k}条诉求：小区的路灯坏了，请尽快修理。" for k in range(2000)]
    share = sum(build_models.held_out(b) for b in bodies) / len(bodies)
    assert 0.17 < share < 0.23
    assert [build_models.held_out(b) for b in bodies[:50]] == [
        build_models.held_out(b) for b in bodies[:50]
    ]
    # A title glued to the front does not move a message to the other side.
    assert build_models.held_out("标题" + bodies[7]) == build_models.held_out(bodies[7])


def test_each_message_counts_once_across_both_files(tmp_path):
    rows = _data(tmp_path)
    assert len(build_models.read_labelled(tmp_path)) == len(rows)


def test_build_writes_both_models_with_their_provenance(tmp_path):
    _data(tmp_path)
    out = tmp_path / "models"
    models = build_models.build(tmp_path, out)
    domain = TextClassifier.load(out / "domain")
    meta = json.loads((out / "domain" / "meta.json").read_text(encoding="utf-8"))
    assert set(meta["data_files"]) == set(build_models.LABELLED_FILES)
    assert "交通出行" in domain.labels and "住房保障" in domain.labels  # mapped + seeds
    assert "交通运输" not in domain.labels  # the competition's label is mapped to §5.4.2
    assert domain.config.hash_bits > 0 and "trained_at" not in meta
    assert models["type"].meta["kind"] == "type"
    assert TextClassifier.load(out / "type").labels == models["type"].labels
