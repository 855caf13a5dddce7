"""Benchmark: single-client latency of the API paper list and of search, at N papers.

Prints p50/p95 (and the SQL queries of one request) for the API paper list (50 a page), the API
search in English and in Chinese, and the search page, each request made in this process through
Django's whole stack (middleware, DRF, serializers) on the database and cache of the environment,
one after another. With ``--explain`` it also prints ``EXPLAIN (ANALYZE, BUFFERS)`` of the count
and page queries of the list (first and 1,000th page) and of searches (a rare and a common English
word, a Chinese one).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench REDIS_URL=redis://127.0.0.1:6379/5 \\
        .venv/bin/python bench/search_latency.py --papers 100000 --explain

An empty database is filled first with N papers made with bulk inserts (English titles and
abstracts from a vocabulary, Chinese titles, 3-8 authors and 1-2 institutions each), two
publications with N/100 published issues of 15 entries each (Chinese summaries with English
terms); a database that holds papers already (a previous run, or ``generate_load_data``) is
measured as it is. It runs on SQLite too (the ``icontains`` fallback), though only PostgreSQL's
figures mean anything.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import logging
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _words(text: str) -> list[str]:
    return text.split()


EN_WORDS = _words("""
attention transformer pretraining language model retrieval dense sparse passage encoder
decoder contrastive learning representation token tokenizer vision image multimodal
reinforcement policy reward agent planning reasoning chain thought instruction tuning
alignment preference feedback human evaluation benchmark dataset corpus scaling law
mixture experts routing distillation compression quantization pruning efficient inference
latency memory context window long sequence recurrent state space convolution graph neural
network node embedding knowledge entity relation extraction question answering summarization
translation speech audio generation diffusion score sampling denoising latent variational
autoencoder adversarial robustness privacy federated optimization gradient descent adaptive
momentum regularization dropout normalization layer residual depth width curriculum
self-supervised masked prediction objective loss calibration uncertainty bayesian ensemble
retrieval-augmented search ranking reranking query document index vector nearest neighbor
code program synthesis mathematics theorem proving tool use web navigation embodied robot
manipulation simulation world model video temporal spatial segmentation detection tracking
""")
STOP = _words("a of the for with in on and via towards beyond")
ZH_WORDS = _words("""
预训练 语言模型 检索 稠密 段落 编码器 解码器 对比学习 表示 视觉 图像 多模态 强化学习 策略 奖励
智能体 规划 推理 思维链 指令微调 对齐 偏好 人类反馈 评测 基准 数据集 语料 规模 混合专家 路由
蒸馏 压缩 量化 剪枝 高效 推断 延迟 记忆 上下文 长序列 状态空间 卷积 图神经网络 知识 实体 关系
抽取 问答 摘要 翻译 语音 生成 扩散 采样 去噪 变分 对抗 鲁棒性 隐私 联邦 优化 梯度 正则化 归一化
残差 课程学习 自监督 掩码 预测 目标 损失 校准 不确定性 集成 排序 查询 文档 索引 向量 近邻 代码
程序 数学 定理证明 工具 网页 具身 机器人 仿真 世界模型 视频 时序 分割 检测 跟踪
""")
ZH_GLUE = _words("的 与 和 在 中 基于 面向 通过 提出 研究 方法 本文 一种")
FIRST = _words("""
Ada Alan Grace Barbara Claude Donald Edsger Frances John Katherine Leslie Margaret Niklaus Radia
Shafi Tim Yann Yoshua Geoffrey Fei-Fei Andrew Kaiming Ilya Oriol Quoc Jeff Noam Ashish Jakob
Lukasz Illia Wei Jing Hao Yu Xin Li Ming Lei Jun Yan Chen Zhi Tao Rui
""")
LAST = _words("""
Lovelace Turing Hopper Liskov Shannon Knuth Dijkstra Allen Backus Johnson Lamport Hamilton Wirth
Perlman Goldwasser Berners-Lee LeCun Bengio Hinton Li Ng He Sutskever Vinyals Le Dean Shazeer
Vaswani Uszkoreit Kaiser Polosukhin Zhang Wang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu
Guo Lin Karpukhin Oguz Min Yih
""")
SYLLABLES = _words("""
ba be bi bo da de di do ka ke ki ko la le li lo ma me mi mo na ne ni no ra re ri ro sa se si so ta
te ti to va ve vi vo
""")

EN_QUERIES = [
    "dense retrieval",
    "contrastive",
    "mixture of experts",
    "diffusion sampling",
    "theorem proving",
    "quantization latency",
    "reward",
    "Vaswani",
    "knowledge distillation",
    "robot manipulation",
]
ZH_QUERIES = [
    "预训练",
    "检索",
    "稠密",
    "对比学习",
    "强化学习",
    "图神经网络",
    "蒸馏",
    "模型",
    "扩散",
    "机器人",
]


def vocabulary(rng: random.Random, size: int = 6000) -> tuple[list[str], list[float]]:
    """Words with Zipf frequencies, as in real abstracts: made-up filler words, with the field's
    terms spread over ranks 30 to 3000 (so a term is in roughly 0.5% to 25% of the abstracts)."""
    words = list(
        dict.fromkeys("".join(rng.choices(SYLLABLES, k=rng.randint(2, 4))) for _ in range(size))
    )
    for term in EN_WORDS:
        words.insert(rng.randint(30, 3000), term)
    return words, list(itertools.accumulate(1 / rank for rank in range(1, len(words) + 1)))


def _sentence(rng: random.Random, vocab: tuple[list[str], list[float]], n: int) -> str:
    picked = rng.choices(vocab[0], cum_weights=vocab[1], k=n)
    for i in range(4, n, 4):
        picked[i] = rng.choice(STOP)
    return " ".join(picked)


def _zh(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(ZH_GLUE) if i % 3 == 2 else rng.choice(ZH_WORDS) for i in range(n))


def fill(n: int, seed: int = 7) -> None:
    """N papers with their authors and institutions, and N/100 published issues of 15 entries."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from issues.models import Issue, IssueEntry
    from papers.models import Author, Authorship, Institution, Paper, PaperInstitution
    from publications.models import Publication
    from recommendations.models import Recommendation

    rng = random.Random(seed)  # noqa: S311 (made-up data, no secret)
    vocab = vocabulary(rng)
    started = time.monotonic()
    with transaction.atomic():
        users = get_user_model().objects.bulk_create(
            get_user_model()(username=f"bench{i}", display_name=f"成员 {i}") for i in range(50)
        )
        names = list(
            dict.fromkeys(f"{rng.choice(FIRST)} {rng.choice(LAST)} {i}" for i in range(n // 2))
        )
        authors = Author.objects.bulk_create((Author(name=name) for name in names), batch_size=5000)
        places = Institution.objects.bulk_create(
            Institution(name=f"University of {rng.choice(LAST)} {i}") for i in range(500)
        )
        today = dt.date(2026, 1, 1)
        batch = 5000
        for start in range(0, n, batch):
            papers = Paper.objects.bulk_create(
                Paper(
                    arxiv_id=f"{2000 + i // 100_000:04d}.{i % 100_000:05d}",
                    arxiv_version=1,
                    title=_sentence(rng, vocab, rng.randint(6, 12)).capitalize(),
                    title_zh=_zh(rng, rng.randint(3, 6)) if rng.random() < 0.5 else "",
                    abstract=". ".join(
                        _sentence(rng, vocab, rng.randint(12, 25)) for _ in range(8)
                    ),
                    published_on=today - dt.timedelta(days=rng.randint(0, 3650)),
                    year=None,
                    primary_category="cs.CL",
                    categories=["cs.CL", "cs.LG"],
                    code_url="https://github.com/example/code" if rng.random() < 0.3 else "",
                    metadata_status="ok",
                    metadata_source="arxiv",
                )
                for i in range(start, min(n, start + batch))
            )
            Authorship.objects.bulk_create(
                Authorship(paper=paper, author=author, position=position)
                for paper in papers
                for position, author in enumerate(rng.sample(authors, rng.randint(3, 8)), 1)
            )
            PaperInstitution.objects.bulk_create(
                PaperInstitution(paper=paper, institution=place, position=position)
                for paper in papers
                for position, place in enumerate(rng.sample(places, rng.randint(1, 2)), 1)
            )
        with connection.cursor() as cursor:
            # Spread the creation times (bulk inserts give them all "now"): one paper a minute.
            cursor.execute(
                "UPDATE papers_paper SET created_at = now() - (%s - id) * interval '1 minute', "
                "year = extract(year FROM published_on)",
                [n],
            )
        print(f"  {n} papers, authors, institutions: {time.monotonic() - started:.1f} s")

        publications = [
            Publication.objects.create(slug="bench-weekly", name="Bench Weekly"),
            Publication.objects.create(slug="bench-rl", name="Bench RL Weekly"),
        ]
        paper_ids = list(Paper.objects.values_list("pk", flat=True))
        featured = rng.sample(paper_ids, min(len(paper_ids), (n // 100) * 15))
        now = timezone.now()
        issues = Issue.objects.bulk_create(
            Issue(
                publication=publications[i % 2],
                number=i // 2 + 1,
                status="published",
                title=f"第 {i // 2 + 1} 期",
                published_at=now - dt.timedelta(days=n // 100 - i),
            )
            for i in range(n // 100)
        )
        recommendations = Recommendation.objects.bulk_create(
            (
                Recommendation(
                    publication=issues[k // 15].publication,
                    paper_id=paper_id,
                    summary=_zh(rng, rng.randint(20, 40)) + " " + _sentence(rng, vocab, 5),
                    title_zh=_zh(rng, 4),
                    submitter=rng.choice(users),
                    status="published",
                )
                for k, paper_id in enumerate(featured)
            ),
            batch_size=5000,
        )
        IssueEntry.objects.bulk_create(
            (
                IssueEntry(
                    issue=issues[k // 15],
                    recommendation=rec,
                    paper_id=rec.paper_id,
                    section="papers",
                    position=k % 15 + 1,
                    shown_title_zh=rec.title_zh,
                    shown_summary=rec.summary,
                )
                for k, rec in enumerate(recommendations)
            ),
            batch_size=5000,
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    print(f"  + {len(issues)} issues, {len(featured)} entries: {time.monotonic() - started:.1f} s")


def measure(client: Any, path: str, count: int) -> tuple[list[float], list[float], int]:
    """Wall-clock and this process's CPU milliseconds of ``count`` requests of ``path``, and the
    number of SQL queries of one."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    # Counted now: the next request's start empties the query log.
    queries = len(captured.captured_queries)
    if response.status_code != 200:
        sys.exit(f"{path}: {response.status_code} {response.content[:300]!r}")
    times, cpu = [], []
    for _ in range(count):
        started, used = time.perf_counter(), time.process_time()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - used) * 1000)
        if response.status_code != 200:
            sys.exit(f"{path}: {response.status_code}")
    return times, cpu, queries


def _pct(times: list[float], p: int) -> float:
    return statistics.quantiles(times, n=100, method="inclusive")[p - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=100_000, help="Papers to make if empty.")
    parser.add_argument("--requests", type=int, default=200, help="Requests per row.")
    parser.add_argument("--explain", action="store_true", help="Print EXPLAIN ANALYZE too.")
    args = parser.parse_args()

    os.environ.setdefault("DEBUG", "false")  # no query log: the figures are production's
    # One client, many requests: no throttle may answer 429.
    os.environ.setdefault("API_RATE_ANON", "1000000/minute")
    os.environ.setdefault("API_RATE_USER", "1000000/minute")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weekly.settings")

    import django

    django.setup()
    logging.getLogger("weekly.request").setLevel(logging.WARNING)  # a line per request
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from papers.models import Paper

    call_command("migrate", verbosity=0)
    held = Paper.objects.count()
    if not held:
        print(f"Filling {connection.settings_dict['NAME']} with {args.papers} papers…")
        fill(args.papers)
        held = Paper.objects.count()
    print(
        f"{connection.vendor} {connection.settings_dict['NAME']}: {held} papers, "
        f"{args.requests} requests per row, one client\n"
    )

    rng = random.Random(11)  # noqa: S311 (a sample of pages, no secret)
    client = Client()
    pages = max(1, held // 50)
    rows = [
        ("API paper list, page 1", ["/api/v1/papers/"]),
        (
            "API paper list, random page",
            [f"/api/v1/papers/?page={rng.randint(1, pages)}" for _ in range(20)],
        ),
        ("API paper list, -published_on", ["/api/v1/papers/?ordering=-published_on"]),
        ("API paper list, featured", ["/api/v1/papers/?featured=true"]),
        ("API search, English", [f"/api/v1/papers/?q={q}" for q in EN_QUERIES]),
        ("API search, Chinese", [f"/api/v1/papers/?q={q}" for q in ZH_QUERIES]),
        ("search page, English", [f"/search/?q={q}" for q in EN_QUERIES]),
        ("search page, Chinese", [f"/search/?q={q}" for q in ZH_QUERIES]),
    ]
    # "cpu" is this process's (Django's) median CPU time per request: on a busy machine, what the
    # wall-clock figures hold beyond it is the wait for PostgreSQL and for a core.
    print(f"{'':34} {'p50 ms':>8} {'p95 ms':>8} {'cpu ms':>8} {'queries':>8}")
    for name, paths in rows:
        times: list[float] = []
        cpu: list[float] = []
        queries = set()
        per_path = max(1, args.requests // len(paths))
        for path in paths:
            t, c, n = measure(client, path, per_path)
            times += t
            cpu += c
            queries.add(n)
        shown = "/".join(str(q) for q in sorted(queries))
        print(
            f"{name:34} {_pct(times, 50):8.1f} {_pct(times, 95):8.1f} "
            f"{statistics.median(cpu):8.1f} {shown:>8}"
        )

    if args.explain and connection.vendor == "postgresql":
        explain(client)


#: The requests whose SQL ``--explain`` shows: the list's first and 1,000th page, a rare and a
#: common English query (in 0.01% and 11% of the generated papers), a Chinese one (5%).
EXPLAINED = [
    "/api/v1/papers/",
    "/api/v1/papers/?page=1000",
    "/api/v1/papers/?q=dense retrieval",
    "/api/v1/papers/?q=latency",
    "/api/v1/papers/?q=预训练",
]


def explain(client: Any) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of the count and the page of each request of ``EXPLAINED``
    (the prefetches of authors and institutions go by foreign key, 50 ids at a time)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for path in EXPLAINED:
        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        for query in queries.captured_queries:
            sql = query["sql"]
            if not sql.startswith(("SELECT COUNT(*)", 'SELECT "papers_paper"."id"')):
                continue
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                plan = "\n".join(row[0] for row in cursor.fetchall())
            print(f"\n-- GET {path}\n-- {sql[:300]}{' …' if len(sql) > 300 else ''}\n{plan}")


if __name__ == "__main__":
    main()
