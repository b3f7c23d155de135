"""What the team tried before that is like a new problem or experiment: only real matches.

One shared word is not a match: a fraud problem and a churn problem that both say "flags"
have nothing to teach each other. A past record is suggested when it shares with the new
text at least two meaningful words, or a phrase (two meaningful words side by side in
both), and ranks near the best such record. Meaningful: not a stop word, not a word every
ML team writes (GENERIC), and not a word very common in this workspace (held by a fifth
of its records or more; of its newest 500 of each kind on PostgreSQL). A word common in the workspace still counts inside a phrase:
"label noise" is specific where "label" alone is not.

Each suggestion carries a snippet of the record with the shared words marked, to show
why it was suggested.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection
from dataclasses import replace
from itertools import combinations, pairwise

from sqlalchemy.orm import Session

from bot.experiments.service import ExperimentRecord
from bot.problems.service import ProblemRecord
from bot.search.service import STOPWORDS, TERM_MAX, WORD, Found, load_each, terms
from storage import search as index
from storage import search_matches as matches
from storage.search_matches import Needle

# Ranks only the newest this many matching records of each kind: it runs after every
# capture, and ranking every record that shares a word would cost more with each record.
RECENT = 500
# A word held by this share of the workspace's records (and by at least COMMON_FLOOR of
# them, so that a young workspace keeps its words) is too common to count on its own.
# On PostgreSQL the share is taken of the newest RECENT records of each kind (exact for a
# workspace of up to 500 of each; past that, of the words the team writes now), in one
# query that reads those rows alone. On SQLite, of the workspace's records counted up to
# RECORDS_CAP (past them a word in 500 records is common): FTS5 counts along the index.
COMMON_SHARE = 0.2
COMMON_FLOOR = 4
RECORDS_CAP = 2_500
# A suggestion ranks at least this share of the best suggestion's rank.
RANK_SHARE = 0.25
MIN_SHARED = 2
MAX_PHRASES = 8
# Ranked records checked for a real match (on PostgreSQL, phrases are checked on these).
CANDIDATES = 12
# Meaningful words paired with each other (8: 28 pairs), the first of the text first.
MAX_PAIRED = 8
CLAUSE = re.compile(r"[\n.,;:!?()]+")
# Words in nearly every record of an ML team: they say nothing about what was tried.
GENERIC = frozenset(
    """model models modelling data dataset datasets metric metrics baseline baselines target
    targets experiment experiments problem problems result results new better improve
    improved improves improving use used using work works make makes get gets""".split()  # noqa: SIM905 (a list of words reads better as text)
)


def similar(
    session: Session,
    *,
    team_id: str,
    text: str,
    limit: int = 3,
    exclude: Collection[str] = (),
) -> tuple[Found, ...]:
    """Up to `limit` past records that really match `text`, best first, each with a snippet
    marking what it shares. `exclude` holds refs (`P-12`, `E-34`) left out, such as the
    record just written."""
    words = [w for w in terms(text) if w not in GENERIC]
    phrases = _phrases(text)
    if len(words) < MIN_SHARED and not phrases:
        return ()
    records, held = matches.frequencies(
        session,
        team_id=team_id,
        needles=[(w,) for w in words],
        newest=RECENT,
        cap=RECORDS_CAP,
        common_at=_common_at,
    )
    common_at = _common_at(records)
    counted = [(count, w) for w, count in zip(words, held, strict=True) if count < common_at]
    meaningful = [w for _, w in counted]
    # The engine finds only real matches: a pair of meaningful words, or a phrase. The
    # rarest words are paired: they say most, and the index reads least for them.
    rarest = [w for _, w in sorted(counted, key=lambda c: c[0])]
    groups = [list(pair) for pair in combinations(rarest[:MAX_PAIRED], MIN_SHARED)]
    groups += [[" ".join(phrase)] for phrase in phrases]
    ranked = index.any_of(
        session, team_id=team_id, groups=groups, limit=CANDIDATES + len(exclude), recent=RECENT
    )
    held = index.exact(session, team_id=team_id, hits=ranked, groups=groups)
    # Only the best few are loaded: the shown ones and those left out are among them.
    ranked = [h for h in ranked if (h.kind, h.id) in held][: limit + len(exclude)]
    found = load_each(session, team_id=team_id, hits=ranked)
    kept = [
        (h, found[h.kind, h.id])
        for h in ranked
        if (h.kind, h.id) in found and found[h.kind, h.id].ref not in exclude
    ]
    if not kept:
        return ()
    floor = kept[0][0].score * RANK_SHARE
    chosen = [(h, f) for h, f in kept if h.score >= floor][:limit]
    needles: list[Needle] = [(w,) for w in meaningful] + phrases
    why = matches.evidence(session, team_id=team_id, hits=[h for h, _ in chosen], needles=needles)
    return tuple(
        replace(f, shared=why[h.kind, h.id].words(), snippet=why[h.kind, h.id].snippet or None)
        if (h.kind, h.id) in why
        else f
        for h, f in chosen
    )


def _common_at(records: int) -> int:
    """How many of `records` hold a word too common to count on its own."""
    return max(COMMON_FLOOR, math.ceil(records * COMMON_SHARE))


def _phrases(text: str) -> list[Needle]:
    """Pairs of words side by side in `text` (within a line or a clause), neither a stop
    word, a generic word nor a number."""
    seen: dict[Needle, None] = {}
    for clause in CLAUSE.split(text.lower()):
        words = [w.strip("_")[:TERM_MAX] for w in WORD.findall(clause)]
        for pair in pairwise(words):
            if all(_phrase_word(w) for w in pair):
                seen.setdefault(pair)
    return list(seen)[:MAX_PHRASES]


def _phrase_word(word: str) -> bool:
    return bool(word) and word not in STOPWORDS and word not in GENERIC and not word.isdigit()


def similar_to_problem(session: Session, problem: ProblemRecord) -> tuple[Found, ...]:
    """What the team tried before that is like a newly framed problem."""
    return similar(
        session,
        team_id=problem.team_id,
        text=f"{problem.title}\n{problem.statement or ''}",
        exclude={problem.ref},
    )


def similar_to_experiment(session: Session, experiment: ExperimentRecord) -> tuple[Found, ...]:
    """What the team tried before that is like a newly logged experiment (its own problem aside)."""
    text = "\n".join(t for t in (experiment.hypothesis, experiment.approach, experiment.notes) if t)
    return similar(
        session,
        team_id=experiment.team_id,
        text=text,
        exclude={experiment.ref, f"P-{experiment.problem_number}"},
    )
