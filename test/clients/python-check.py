"""Driven by test/clients/python.test.ts: the client against a real service, printing one JSON report."""
import json
import sys

sys.path.insert(0, sys.argv[1])
from gl_rl_reward import GlRlReward, RewardServiceError  # noqa: E402

url, flaky_url = sys.argv[2], sys.argv[3]
gold = "SELECT Project_Code FROM PAC_MNT_PROJECTS WHERE Budget > 100000"
wrong = "SELECT Project_Code FROM PAC_MNT_PROJECTS WHERE Budget > 250000"
other_gold = "SELECT Resource_Code FROM PAC_MNT_RESOURCES"
out = {}

reward = GlRlReward(url, preset="sparse", batch_size=1)
prompts = ["big projects", "big projects", "big projects", [{"role": "user", "content": "resources"}]]
completions = [
    "```sql\n" + gold + "\n```",
    [{"role": "assistant", "content": "<think>1. projects</think>\n" + wrong}],
    "no sql",
    [{"role": "assistant", "content": other_gold}],
]
out["plain_and_chat"] = reward(prompts, completions, [gold, gold, gold, other_gold])
out["groups"] = [len(i["results"]) for i in reward.last_items]

flaky = GlRlReward(flaky_url, preset="sparse", backoff=0.01)
out["after_retries"] = flaky(["q"], [gold], [gold])

try:
    GlRlReward(url, preset="best")(["q"], [gold], [gold])
    out["bad_preset"] = "no error"
except RewardServiceError as e:
    out["bad_preset"] = e.status

try:
    GlRlReward(url)(["q"], [gold], ["DROP TABLE PAC_MNT_PROJECTS"])
    out["bad_gold"] = "no error"
except RewardServiceError as e:
    out["bad_gold"] = str(e)

try:
    GlRlReward("http://127.0.0.1:9", max_retries=1, backoff=0.01)(["q"], [gold], [gold])
    out["down"] = "no error"
except RewardServiceError as e:
    out["down"] = str(e)

print(json.dumps(out))
