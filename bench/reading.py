"""Reading bills and CSRs: field accuracy of :func:`extract` over the corpus of
``tests/reading_corpus.py`` (issue 14, "Measured"); prints one JSON line.

Every layout of the corpus in every kind (``born_digital``: the PDF's text layer;
``scanned``: an image-only PDF at 200-300 dpi, skewed 1-2 degrees, with dust; ``faxed``: a
204 x 196 G4 TIFF) is read through the sandbox, and each fact the document states (the
truth's non-null, non-empty facts) is compared with what was read:

- ``exact``: the value equals the truth (an address: all five parts; a list: the same
  items in the same order);
- ``wrong``: a value was reported that is not the truth (for a list: an item the truth
  does not hold), including a value reported for a fact the document does not state. The
  issue asks for null rather than a guess, so these are counted apart from misses and the
  target is none at all;
- ``missed``: null (or a list short of items, none of them wrong).

Accuracy is exact / stated, per kind and per fact within each kind; seconds per page are
wall time of :func:`extract` (sandbox round trip, OCR) over the pages of the kind. Targets:
>= 98 % exact on born-digital, >= 90 % on scans (scanned and faxed pages both), no wrong
value on any kind.

    PYTHONPATH=src python bench/reading.py [--kinds born_digital,scanned] [--layouts table]
        [--seed 14]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from faxline.documents.reading.extract import FACT_KEYS, extract
from reading_corpus import KINDS, LAYOUTS, documents

TARGETS = {"born_digital": 0.98, "scanned": 0.90, "faxed": 0.90}
LIST_FACTS = ("numbers", "authorized_names", "line_features")


def judge(fact: str, read: Any, truth: Any) -> str:
    """``exact``, ``wrong``, ``missed``, or ``absent`` (not stated and nothing read)."""
    stated = truth not in (None, [])
    if read == truth:
        return "exact" if stated else "absent"
    if fact in LIST_FACTS:
        if any(item not in (truth or []) for item in read):
            return "wrong"
        return "missed" if stated else "absent"
    return "missed" if read is None else "wrong"


def run(seed: int, kinds: list[str], layouts: list[str]) -> dict[str, Any]:
    per_kind: dict[str, dict[str, Any]] = {}
    wrong_values: list[dict[str, Any]] = []
    misses: list[dict[str, Any]] = []
    for document in documents(seed, kinds, layouts):
        stats = per_kind.setdefault(
            document.kind,
            {
                "documents": 0,
                "pages": 0,
                "seconds": 0.0,
                "stated": 0,
                "exact": 0,
                "wrong": 0,
                "missed": 0,
                "document_type_ok": 0,
                "facts": {key: {"stated": 0, "exact": 0, "wrong": 0} for key in FACT_KEYS},
            },
        )
        started = time.perf_counter()
        extraction = extract(document.data, document.filename)
        stats["seconds"] += time.perf_counter() - started
        out = extraction.as_json()
        stats["documents"] += 1
        stats["pages"] += document.pages
        stats["document_type_ok"] += out["document_type"] == document.document_type
        for key in FACT_KEYS:
            truth, read = document.truth[key], out["facts"][key]
            verdict = judge(key, read, truth)
            fact = stats["facts"][key]
            stated = truth not in (None, [])
            fact["stated"] += stated
            stats["stated"] += stated
            if verdict == "exact":
                stats["exact"] += 1
                fact["exact"] += 1
            elif verdict in ("wrong", "missed"):
                stats[verdict] += 1
                if verdict == "wrong":
                    fact["wrong"] += 1
                where = {"layout": document.layout, "kind": document.kind, "fact": key}
                (wrong_values if verdict == "wrong" else misses).append(
                    {**where, "read": read, "truth": truth}
                )
    result: dict[str, Any] = {"bench": "reading", "seed": seed, "kinds": {}, "targets": {}}
    for kind, stats in per_kind.items():
        accuracy = stats["exact"] / stats["stated"] if stats["stated"] else None
        result["kinds"][kind] = {
            "documents": stats["documents"],
            "pages": stats["pages"],
            "facts_stated": stats["stated"],
            "exact": stats["exact"],
            "missed": stats["missed"],
            "wrong": stats["wrong"],
            "accuracy": round(accuracy, 4) if accuracy is not None else None,
            "document_type_ok": stats["document_type_ok"],
            "seconds_per_page": round(stats["seconds"] / stats["pages"], 3),
            "per_fact": {
                key: {
                    "stated": f["stated"],
                    "accuracy": round(f["exact"] / f["stated"], 3) if f["stated"] else None,
                    "wrong": f["wrong"],
                }
                for key, f in stats["facts"].items()
            },
        }
        target = TARGETS[kind]
        result["targets"][kind] = {
            "accuracy_target": target,
            "accuracy_pass": accuracy is not None and accuracy >= target,
            "no_wrong_pass": stats["wrong"] == 0,
        }
    result["wrong_values"] = wrong_values
    result["misses"] = misses
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--kinds", default=",".join(KINDS))
    parser.add_argument("--layouts", default=",".join(LAYOUTS))
    args = parser.parse_args()
    kinds = [k for k in args.kinds.split(",") if k]
    layouts = [name for name in args.layouts.split(",") if name]
    for name in layouts:
        if name not in LAYOUTS:
            sys.exit(f"unknown layout {name!r}: one of {', '.join(LAYOUTS)}")
    for kind in kinds:
        if kind not in KINDS:
            sys.exit(f"unknown kind {kind!r}: one of {', '.join(KINDS)}")
    print(json.dumps(run(args.seed, kinds, layouts), sort_keys=False))


if __name__ == "__main__":
    main()
