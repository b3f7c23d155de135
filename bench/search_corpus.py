"""A workspace for bench/search.py: problems, experiments and error analyses (with their
categories) written in realistic ML text by a seeded RNG, bulk-inserted."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, text

from storage.analyses import ErrorAnalysis, ErrorCategory
from storage.db import Database
from storage.experiments import Experiment, Outcome
from storage.problems import Problem

TEAM, OTHER = "TBENCH", "TOTHER"
PROBLEMS, EXPERIMENTS, ANALYSES = 15_000, 55_000, 30_000


DOMAINS = """churn model|fraud classifier|search ranker|ocr pipeline|intent classifier|demand
forecast|recommendation model|speech recognizer|toxicity filter|image tagger|retrieval
reranker|credit risk model|anomaly detector|entity linker|translation model|summarizer|ticket
router|price model|ads ctr model|spam filter|document classifier|sentiment model|face
detector|lidar segmenter|medical coder|resume matcher|query autocomplete|product
categorizer|address parser|chargeback predictor|eta model|fleet forecast|ltv model|lead
scorer|moderation queue|receipt parser|invoice extractor|call summarizer|code search|faq
bot""".replace("\n", " ").split("|")
MODELS = """bert|roberta|deberta|t5|gpt-2|llama|xgboost|lightgbm|catboost|resnet50|vit|efficientnet|
yolov8|whisper|wav2vec|clip|two-tower|dlrm|prophet|arima|logistic regression|random forest|
gru|lstm|temporal fusion transformer|mamba|sentence transformers|bm25|colbert|faiss|
layoutlm|donut|tabnet|mlp|gbdt|siamese network|crf|bilstm|unet|mask rcnn""".replace("\n", "").split(
    "|"
)
TECHNIQUES = """mixup augmentation|cutmix|focal loss|label smoothing|hard negative mining|knowledge
distillation|contrastive pretraining|temperature scaling|learning rate warmup|cosine
schedule|weight decay|dropout|early stopping|class reweighting|oversampling|smote|pseudo
labeling|active learning|confident learning|deduplication|test-time augmentation|int8
quantization|pruning|lora|prompt tuning|curriculum learning|ensembling|stacking|feature
crosses|target encoding|gradient clipping|mixed precision|larger batch size|longer
context|synthetic data|back translation|random erasing|rotation augmentation|color
jitter|negative sampling|in-batch negatives|query expansion|recency features|seasonality
terms|holiday features|lag features|embedding dropout|layer freezing|adapter
tuning|threshold tuning|calibration layer|reranking stage|ensemble of seeds|distilled
student|retrieval augmentation|chunking|sliding window|dedup by hash""".replace("\n", " ").split(
    "|"
)
CATEGORIES = """label noise|class imbalance|data leakage|distribution shift|stale features|duplicate
images|truncated inputs|tokenizer errors|blurry scans|rare classes|mislabeled
examples|seasonality|annotation disagreement|ocr misreads|cold start|outliers|timezone
bugs|missing values|sarcasm|code switching|long documents|small objects|occlusion|low
light|accents|background noise|currency formats|handwriting|ambiguous intents|new
products|holiday spikes|bot traffic|position bias|popularity bias|stale index|empty
queries|misspellings|abbreviations|negation|multi-label confusion""".replace("\n", " ").split("|")
METRICS = """recall@10|nDCG@10|F1|AUC|WER|MAPE|precision|p95 latency|ECE|accuracy|BLEU|
ROUGE-L|CER|MRR|log loss|RMSE|top-1 accuracy|coverage""".replace("\n", "").split("|")
SHAPES = """misses new users|drifts after retraining|confuses similar classes|is poorly
calibrated|fails on long inputs|degrades on mobile traffic|overfits the small dataset|has
too many false positives|is too slow at p95|ignores recency|breaks on rare languages|
underperforms on holidays|struggles with cold start|mislabels short inputs|misreads
blurry scans|regressed after the upgrade|is unstable across seeds|has too many false
negatives|costs too much to serve|lags the new catalogue""".replace("\n", " ").split("|")
FILLER = """we saw|on the validation set|compared with the baseline|after two epochs|in the
offline eval|for the long tail|on the holdout slice|across seeds|within noise|which
surprised us|per the dashboard|in shadow mode|on the weekly retrain|for enterprise
accounts|on android|on the eu traffic|for new signups|on the gold set|after the
backfill|in the a/b test""".replace("\n", " ").split("|")


class Words:
    """Zipf-like draws from shuffled pools, from one seeded RNG."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.pools: dict[int, tuple[list[str], list[float]]] = {}

    def __call__(self, pool: list[str]) -> str:
        if id(pool) not in self.pools:
            words = [" ".join(w.split()) for w in pool]
            self.rng.shuffle(words)
            self.pools[id(pool)] = (words, [1 / (rank + 1) for rank in range(len(words))])
        words, weights = self.pools[id(pool)]
        return self.rng.choices(words, weights)[0]

    def number(self) -> str:
        return f"{self.rng.uniform(0.2, 0.99):.3f}"

    def dataset(self) -> str:
        return f"{self(DOMAINS).split()[0]}-{self.rng.randint(2023, 2026)}q{self.rng.randint(1, 4)}-v{self.rng.randint(1, 9)}"


def _records(rng: random.Random) -> Iterator[tuple[type, list[dict]]]:
    w = Words(rng)
    now = datetime.now(UTC)
    problems = []
    for n in range(1, PROBLEMS + 1):
        problems.append(
            {
                "id": n,
                "team_id": TEAM if n > 50 else OTHER,
                "number": n,
                "title": f"{w(DOMAINS).capitalize()} {w(SHAPES)}",
                "statement": f"The {w(DOMAINS)} {w(SHAPES)} {w(FILLER)}; {w(METRICS)} is "
                f"{w.number()} and users see {w(CATEGORIES)}. Owners tried {w(MODELS)} "
                f"with {w(TECHNIQUES)} {w(FILLER)}.",
                "metric_name": w(METRICS),
                "data_sources": w.dataset(),
                "owner_id": "U0OWNER",
                "created_by": "U0OWNER",
                "deleted_at": now if rng.random() < 0.02 else None,
            }
        )
    yield Problem, problems
    experiments = []
    for n in range(1, EXPERIMENTS + 1):
        technique = w(TECHNIQUES)
        experiments.append(
            {
                "id": n,
                "team_id": TEAM,
                "number": n,
                "problem_id": rng.randint(51, PROBLEMS),
                "hypothesis": f"{technique.capitalize()} on {w(MODELS)} lifts {w(METRICS)}",
                "approach": f"{technique} with {w(MODELS)}",
                "dataset": w.dataset(),
                "outcome": rng.choice(list(Outcome)),
                "notes": f"{w(METRICS)} {w.number()} {w(FILLER)}; {w(CATEGORIES)} "
                f"{w(FILLER)}. Next: {w(TECHNIQUES)}.",
                "author_id": "U0OWNER",
                "metrics": {},
                "created_at": now - timedelta(minutes=n),
            }
        )
    yield Experiment, experiments
    analyses, categories = [], []
    for n in range(1, ANALYSES + 1):
        analyses.append(
            {
                "id": n,
                "team_id": TEAM,
                "number": n,
                "experiment_id": rng.randint(1, EXPERIMENTS),
                "sample_size": 200,
                "sample_method": "random failures from the holdout",
                "slices": f"{w.dataset()} by {rng.choice(['country', 'device', 'length'])}",
                "root_causes": f"{w(CATEGORIES).capitalize()} {w(FILLER)}",
                "next_steps": f"Try {w(TECHNIQUES)} {w(FILLER)}",
                "lessons": f"{w(FILLER).capitalize()}, {w(CATEGORIES)} matters more than "
                f"{w(TECHNIQUES)} for the {w(DOMAINS)}",
                "author_id": "U0OWNER",
                "created_at": now - timedelta(minutes=n),
            }
        )
        for position, name in enumerate({w(CATEGORIES), w(CATEGORIES)}):
            categories.append(
                {
                    "team_id": TEAM,
                    "analysis_id": n,
                    "position": position,
                    "name": name,
                    "count": rng.randint(1, 60),
                }
            )
    yield ErrorAnalysis, analyses
    yield ErrorCategory, categories


def seed(db: Database) -> float:
    rng = random.Random(20261127)
    started = time.perf_counter()
    for model, rows in _records(rng):
        with db.transaction() as session:
            for start in range(0, len(rows), 5000):
                session.execute(insert(model), rows[start : start + 5000])
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    else:
        with db.engine.begin() as connection:
            connection.execute(text("ANALYZE"))
    return time.perf_counter() - started
