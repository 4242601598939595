# A worker reward for svdd: started once per run, it reads one JSON line {"samples": [...]} per batch on stdin and
# writes one JSON line {"rewards": [...]}, one number per sample, on stdout. Load a model above the loop and the
# whole run shares it. Stdout carries only the replies: logs go to stderr. Here: the GC content of DNA samples.
#   ./svdd.sh compare --checkpoint models/dna-transformer.safetensors --reward "worker:python3 examples/worker_reward.py" \
#       --methods svdd-pm -n 8 -M 4 --out runs/worker
import json
import sys


def gc_content(seq):
    return sum(c in "GC" for c in seq) / max(len(seq), 1)


for line in sys.stdin:
    samples = json.loads(line)["samples"]
    print(json.dumps({"rewards": [gc_content(s) for s in samples]}), flush=True)
