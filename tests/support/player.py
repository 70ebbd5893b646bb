"""Plays a course package in a browser frame as a learner would: clicks, keyboard, radios."""

from __future__ import annotations

import json
import re
from typing import Any


class Player:
    def __init__(self, page: Any, frame: Any | None = None):
        self.page = page
        self.frame = frame or page.frame(url=re.compile(r"^[^?]*/pkg/index\.html"))
        assert self.frame is not None, "the package frame did not load"
        self.frame.wait_for_selector(".step.current", state="visible")

    # -- what the learner sees --
    def step(self) -> str:
        return self.frame.eval_on_selector(".step.current", "e => e.dataset.step")

    def data(self) -> dict[str, Any]:
        return json.loads(self.frame.inner_text("#noroom-data"))

    def state(self) -> dict[str, Any]:
        return self.frame.evaluate("NoroomRuntime.state()")

    def notice(self) -> str:
        return self.frame.evaluate(
            "(() => { const n = document.getElementById('notice'); "
            "return n.hidden ? '' : n.textContent; })()")

    # -- what the learner does --
    def next(self) -> None:
        before = self.step()
        self.frame.click("#next")
        self.frame.wait_for_function("s => document.querySelector('.step.current').dataset.step "
                                     "!== s", arg=before)

    def back(self) -> None:
        before = self.step()
        self.frame.click("#back")
        self.frame.wait_for_function("s => document.querySelector('.step.current').dataset.step "
                                     "!== s", arg=before)

    def choose_role(self, role: str) -> None:
        assert self.step() == "role", self.step()
        self.frame.check(f"#role-{role}")

    def answer(self, option: str) -> None:
        step = self.step()
        assert step.startswith("q:"), step
        qid = step[2:]
        self.frame.check(f"#{qid}-{option}")
        # Until the answer is checked the primary button reads "Check answer" (issue 16).
        assert self.frame.inner_text("#next") == self.data()["ui"]["check_answer"]
        self.frame.click("#next")
        self.frame.wait_for_selector(f'.step.current .feedback[data-option="{option}"]',
                                     state="visible")

    def choose(self, option: str | None = None) -> None:
        """Make the current step's practice choice (practice.js): `option`, or the first
        option shown."""
        pick = ".step.current .practice:not(.done) .pick"
        self.frame.click(pick + (f'[data-option="{option}"]' if option else ""))
        self.frame.wait_for_selector(".step.current .practice.done .practice-fb:not([hidden])")

    def choose_if_asked(self) -> None:
        """Make the current step's practice choice when it asks one not made yet."""
        if self.frame.query_selector(".step.current .practice:not(.done)"):
            self.choose()

    def play(self, role: str, correct: bool = True, stop_at: str | None = None) -> list[str]:
        """From the current step to the result (or to `stop_at`), answering right or wrong
        (questions answered before are passed by). Returns the options chosen, in order."""
        questions = {q["id"]: q for q in self.data()["questions"]}
        chosen = []
        while True:
            step = self.step()
            if step == stop_at or step == "result":
                return chosen
            if step == "role":
                self.choose_role(role)
            elif step.startswith("q:") and step[2:] not in self.state()["answers"]:
                q = questions[step[2:]]
                wrong = [o for o in q["options"] if o != q["correct"]][0]
                chosen.append(q["correct"] if correct else wrong)
                self.answer(chosen[-1])
            self.choose_if_asked()  # a scenario's or a check's: not part of `chosen`
            self.next()
