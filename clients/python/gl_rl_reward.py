"""Reward function for GRPO trainers backed by a gl-rl-model reward service.

Standard library only: copy this one file next to your training script, or
``pip install`` the ``clients/python`` folder. Start the service with
``npx gl-rl serve`` and pass the function to the trainer::

    from gl_rl_reward import GlRlReward
    reward = GlRlReward("http://127.0.0.1:8080", preset="execution")
    GRPOTrainer(model=..., reward_funcs=reward, train_dataset=ds, ...)

The call follows TRL's reward-function signature,
``reward(prompts, completions, expected_sql, **kwargs) -> list[float]``:
completions may be plain strings or conversational (a list of
``{"role", "content"}`` messages, the last assistant message being scored).
Completions that share a prompt are sent as one group (one item of
``POST /v1/rewards``), so identical SQL in a group is scored once and the
service's group advantages are meaningful; groups are sent in batches.
Connection failures and 5xx answers are retried with exponential backoff;
any other failure (a 4xx, an item the service could not score) raises
``RewardServiceError`` at once, because a silently wrong reward poisons a run.
"""

from __future__ import annotations

import json
import random
import time
import urllib.error
import urllib.request
from typing import Any, Dict, List, Optional, Sequence

__all__ = ["GlRlReward", "RewardServiceError", "completion_text"]
__version__ = "0.1.0"


class RewardServiceError(RuntimeError):
    """The reward service refused a request, or stayed unavailable after every retry."""

    def __init__(self, message: str, status: Optional[int] = None, body: Any = None):
        super().__init__(message)
        self.status = status
        self.body = body


def completion_text(completion: Any) -> str:
    """The text to score: a plain string, or the last assistant message of a conversational completion."""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, dict) and "content" in completion:
        return str(completion["content"])
    if isinstance(completion, (list, tuple)):
        messages = [m for m in completion if isinstance(m, dict) and "content" in m]
        assistant = [m for m in messages if m.get("role", "assistant") == "assistant"]
        chosen = assistant or messages
        if chosen:
            return str(chosen[-1]["content"])
    raise TypeError(f"a completion must be a string or a list of chat messages, got {type(completion).__name__}")


def _prompt_key(prompt: Any) -> str:
    return prompt if isinstance(prompt, str) else json.dumps(prompt, sort_keys=True, default=str)


def _question(prompt: Any) -> str:
    """The question of a prompt: the text, or the last user message of a conversational prompt."""
    if isinstance(prompt, str):
        return prompt
    if isinstance(prompt, (list, tuple)):
        users = [m for m in prompt if isinstance(m, dict) and m.get("role") == "user"]
        if users:
            return str(users[-1].get("content", ""))
    return _prompt_key(prompt)


class GlRlReward:
    """A TRL reward function (``reward_funcs=GlRlReward(url)``) that scores with ``POST /v1/rewards``."""

    def __init__(
        self,
        url: str = "http://127.0.0.1:8080",
        preset: str = "execution",
        weights: Optional[Dict[str, float]] = None,
        api_key: Optional[str] = None,
        batch_size: int = 64,
        timeout: float = 120.0,
        max_retries: int = 5,
        backoff: float = 0.5,
        max_backoff: float = 30.0,
        domain: Optional[str] = None,
    ):
        if batch_size < 1:
            raise ValueError("batch_size must be >= 1")
        self.endpoint = url.rstrip("/") + "/v1/rewards"
        self.preset = preset
        self.weights = weights
        self.api_key = api_key
        self.batch_size = batch_size
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.domain = domain
        # TRL names reward columns after the function: this one logs as "gl_rl_<preset>".
        self.__name__ = f"gl_rl_{preset}"
        #: The last answer's items, for logging (feedback, advantages, error codes).
        self.last_items: List[Dict[str, Any]] = []

    def __call__(self, prompts: Sequence[Any], completions: Sequence[Any], expected_sql: Sequence[str], **kwargs: Any) -> List[float]:
        if not (len(prompts) == len(completions) == len(expected_sql)):
            raise ValueError(
                f"prompts, completions and expected_sql must have one entry per completion "
                f"(got {len(prompts)}, {len(completions)}, {len(expected_sql)})"
            )
        # Completions of one prompt form one group; TRL repeats each prompt num_generations times.
        groups: Dict[tuple, Dict[str, Any]] = {}
        for index, (prompt, completion, expected) in enumerate(zip(prompts, completions, expected_sql)):
            key = (_prompt_key(prompt), expected)
            group = groups.get(key)
            if group is None:
                group = {"item": {"query": _question(prompt) or "(no question)", "completions": [], "expected_sql": expected}, "indexes": []}
                if self.domain:
                    group["item"]["domain"] = self.domain
                groups[key] = group
            group["item"]["completions"].append(completion_text(completion))
            group["indexes"].append(index)

        rewards: List[Optional[float]] = [None] * len(completions)
        ordered = list(groups.values())
        self.last_items = []
        for start in range(0, len(ordered), self.batch_size):
            batch = ordered[start : start + self.batch_size]
            answer = self._post({"items": [g["item"] for g in batch], "preset": self.preset, **({"weights": self.weights} if self.weights else {})})
            items = answer.get("items")
            if not isinstance(items, list) or len(items) != len(batch):
                raise RewardServiceError("the reward service answered with the wrong number of items", body=answer)
            for group, item in zip(batch, items):
                if item.get("error_code"):
                    raise RewardServiceError(f"item for query {group['item']['query']!r} was not scored: {item.get('error')}", body=item)
                results = item.get("results", [])
                if len(results) != len(group["indexes"]):
                    raise RewardServiceError("the reward service answered with the wrong number of results", body=item)
                for index, result in zip(group["indexes"], results):
                    rewards[index] = float(result["total_reward"])
            self.last_items.extend(items)
        return [r if r is not None else 0.0 for r in rewards]

    def _post(self, body: Dict[str, Any]) -> Dict[str, Any]:
        data = json.dumps(body).encode("utf-8")
        headers = {"content-type": "application/json", "accept": "application/json"}
        if self.api_key:
            headers["authorization"] = f"Bearer {self.api_key}"
        attempt = 0
        while True:
            request = urllib.request.Request(self.endpoint, data=data, headers=headers, method="POST")
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    return json.loads(response.read().decode("utf-8"))
            except urllib.error.HTTPError as error:
                payload = _read_json(error)
                if error.code < 500:
                    raise RewardServiceError(
                        f"reward service refused the request ({error.code}): {payload.get('error') if isinstance(payload, dict) else payload}",
                        status=error.code,
                        body=payload,
                    ) from None
                failure: Exception = RewardServiceError(f"reward service error {error.code}", status=error.code, body=payload)
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError) as error:
                failure = error
            if attempt >= self.max_retries:
                raise RewardServiceError(f"reward service unavailable after {attempt + 1} attempts: {failure}") from failure
            delay = min(self.max_backoff, self.backoff * (2**attempt)) * (0.5 + random.random() / 2)
            time.sleep(delay)
            attempt += 1


def _read_json(error: urllib.error.HTTPError) -> Any:
    try:
        return json.loads(error.read().decode("utf-8"))
    except Exception:  # a proxy's HTML page, an empty body
        return None
