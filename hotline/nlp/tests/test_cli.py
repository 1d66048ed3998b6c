"""``hotline model train|evaluate`` on labelled CSV files."""

import csv
import json

from hotline.nlp.cli import main, read_labelled_csv

ROWS = [
    ("路灯坏了", "小区门口路灯坏了，\n晚上很黑", "城乡建设"),
    ("路灯", "这条街的路灯一直不亮", "城乡建设"),
    ("井盖", "路口井盖丢了很危险", "城乡建设"),
    ("", "人行道地砖松动", "城乡建设"),
    ("噪音", "楼下KTV噪音太吵", "环境保护"),
    ("油烟", "烧烤店油烟熏人", "环境保护"),
    ("", "工厂偷排污水，河水发臭", "环境保护"),
    ("噪音", "广场舞音响太吵了", "环境保护"),
]


def _write_csv(path, rows=ROWS):
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["编号", "标题", "内容", "类别"])
        for i, row in enumerate(rows):
            w.writerow([i, *row])
    return path


def test_reads_quoted_fields_with_embedded_newlines(tmp_path):
    rows = read_labelled_csv(_write_csv(tmp_path / "a.csv"), "内容", "类别", "标题")
    assert rows[0] == ("路灯坏了", "小区门口路灯坏了，\n晚上很黑", "城乡建设")
    assert len(rows) == len(ROWS)


def test_train_then_evaluate_prints_json_as_the_last_line(tmp_path, capsys):
    data = _write_csv(tmp_path / "a.csv")
    out = tmp_path / "model"
    args = ["--csv", str(data), "--text-col", "内容", "--title-col", "标题", "--label-col", "类别"]
    assert main(["model", "train", *args, "--out", str(out)]) == 0
    assert (out / "meta.json").exists()
    capsys.readouterr()
    assert main(["model", "evaluate", *args, "--model", str(out), "--json"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    result = json.loads(lines[-1])
    assert {"accuracy", "macro_f1", "n", "per_class", "latency_ms_p50", "latency_ms_p99"} <= set(
        result
    )
    assert result["n"] == len(ROWS)
    assert set(result["per_class"]) == {"城乡建设", "环境保护"}
    assert any("macro-F1" in line for line in lines)


def test_a_missing_column_is_a_clear_bilingual_error(tmp_path, capsys):
    data = _write_csv(tmp_path / "a.csv")
    code = main(
        ["model", "evaluate", "--csv", str(data), "--text-col", "正文", "--label-col", "类别"]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "没有列“正文”" in err and "column '正文'" in err and "内容" in err


def test_a_missing_file_is_a_clear_error(tmp_path, capsys):
    code = main(
        [
            "model",
            "evaluate",
            "--csv",
            str(tmp_path / "no.csv"),
            "--text-col",
            "a",
            "--label-col",
            "b",
        ]
    )
    assert code == 2 and "file not found" in capsys.readouterr().err


def test_evaluate_defaults_to_the_installed_domain_model(tmp_path, capsys):
    data = _write_csv(tmp_path / "a.csv")
    assert (
        main(
            [
                "model",
                "evaluate",
                "--csv",
                str(data),
                "--text-col",
                "内容",
                "--label-col",
                "类别",
                "--json",
            ]
        )
        == 0
    )
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["accuracy"] >= 0.75  # Chinese domain labels compare as strings


def test_train_reads_several_csv_files_with_the_same_columns(tmp_path, capsys):
    first = _write_csv(tmp_path / "a.csv", ROWS[:4] + ROWS[4:6])
    second = _write_csv(tmp_path / "b.csv", ROWS[6:] + ROWS[:1])
    out = tmp_path / "model"
    cols = ["--text-col", "内容", "--title-col", "标题", "--label-col", "类别"]
    args = ["--csv", str(first), "--csv", str(second), *cols]
    assert main(["model", "train", *args, "--out", str(out)]) == 0
    meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    assert meta["n_train"] == 9 and meta["source"] == "a.csv, b.csv"
    capsys.readouterr()
    assert main(["model", "evaluate", *args, "--model", str(out), "--json"]) == 0
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["n"] == 9
