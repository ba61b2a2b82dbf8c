#!/usr/bin/env python3
"""The peer line of caseflow's benchmarks: the same expense approval in SpiffWorkflow.

SpiffWorkflow (3.x) ships no SQLite serializer, so each workflow is kept the way its docs
suggest for a custom store: its JSON serializer (BpmnWorkflowSerializer) writes the workflow
to a row of a SQLite table, one transaction per step, as caseflow keeps a case.

  spiff_bench.py open DB            one cold process: parse, start a workflow, save; prints its id
  spiff_bench.py approve DB ID      one cold process: parse, load, complete manager_review, save
  spiff_bench.py inproc DB N        N open+approve cycles in one process; prints JSON timings
  spiff_bench.py version            the SpiffWorkflow version and how workflows are stored
"""
import json
import os
import sqlite3
import sys
import time

BPMN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "approval.bpmn")
STORAGE = "JSON serializer (BpmnWorkflowSerializer) in a SQLite table; SpiffWorkflow has no SQLite serializer"


def connect(path):
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(
        "CREATE TABLE IF NOT EXISTS workflows (id INTEGER PRIMARY KEY, status TEXT NOT NULL, data TEXT NOT NULL)"
    )
    return conn


def engine():
    from SpiffWorkflow.bpmn.parser import BpmnParser
    from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer

    parser = BpmnParser()
    parser.add_bpmn_file(BPMN)
    return parser.get_spec("expense_approval"), BpmnWorkflowSerializer()


def open_case(conn, spec, serializer):
    from SpiffWorkflow.bpmn import BpmnWorkflow

    wf = BpmnWorkflow(spec)
    wf.data.update({"kind": "reimbursement", "lines": "Taxi: 25.00; Hotel: 180.50", "requester": "alice"})
    wf.do_engine_steps()
    conn.execute("BEGIN IMMEDIATE")
    cur = conn.execute(
        "INSERT INTO workflows (status, data) VALUES (?, ?)",
        ("open", serializer.serialize_json(wf)),
    )
    conn.execute("COMMIT")
    return cur.lastrowid


def approve(conn, spec, serializer, wid):
    from SpiffWorkflow.util.task import TaskState

    conn.execute("BEGIN IMMEDIATE")
    (data,) = conn.execute("SELECT data FROM workflows WHERE id = ?", (wid,)).fetchone()
    wf = serializer.deserialize_json(data)
    task = next(
        t
        for t in wf.get_tasks(state=TaskState.READY)
        if t.task_spec.name == "manager_review"
    )
    task.data["decision"] = "approve"
    task.run()
    wf.do_engine_steps()
    ready = [t.task_spec.name for t in wf.get_tasks(state=TaskState.READY)]
    assert sorted(ready) == ["finance_payment", "hr_acknowledge"], ready
    conn.execute(
        "UPDATE workflows SET status = ?, data = ? WHERE id = ?",
        ("open", serializer.serialize_json(wf), wid),
    )
    conn.execute("COMMIT")


def main(argv):
    mode = argv[1]
    if mode == "version":
        import importlib.metadata

        print(json.dumps({"version": importlib.metadata.version("SpiffWorkflow"), "storage": STORAGE}))
        return
    conn = connect(argv[2])
    spec, serializer = engine()
    if mode == "open":
        print(open_case(conn, spec, serializer))
    elif mode == "approve":
        approve(conn, spec, serializer, int(argv[3]))
    elif mode == "inproc":
        n = int(argv[3])
        cycles = []
        for _ in range(n):
            start = time.perf_counter()
            wid = open_case(conn, spec, serializer)
            approve(conn, spec, serializer, wid)
            cycles.append((time.perf_counter() - start) * 1000.0)
        print(json.dumps({"cycles_ms": cycles}))
    else:
        sys.exit(f"unknown mode {mode}")


if __name__ == "__main__":
    main(sys.argv)
