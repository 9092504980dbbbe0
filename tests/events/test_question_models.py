"""The model for a session's questions is built once per set of questions and follows every change to them."""

from __future__ import annotations

import pytest

from agora.forms import FieldErrors, validate
from events import forms, services
from events.services.common import questions_for
from tests.events.helpers import published_session

BASE = {"name": "Erika Muster", "email": "erika@example.com", "consent": True}


async def test_the_model_is_kept_and_follows_changed_options(database) -> None:
    session = await published_session()
    question = await services.add_question(
        session_id=session.id, label="Workshop", kind="choice", options=["A", "B"], required=True
    )
    first = forms.with_questions(forms.RegistrationInput, await questions_for(session))
    assert forms.with_questions(forms.RegistrationInput, await questions_for(session)) is first
    assert validate(first, {**BASE, "answers": {str(question.id): "B"}}).answer_values() == {str(question.id): "B"}
    # Staff leave required questions empty: another model for the same questions.
    lenient = forms.with_questions(forms.RegistrationInput, await questions_for(session), strict=False)
    assert lenient is not first and validate(lenient, BASE).answer_values() == {}
    question.options = ["A", "C"]
    await question.save()
    changed = forms.with_questions(forms.RegistrationInput, await questions_for(session))
    assert changed is not first
    with pytest.raises(FieldErrors) as refused:
        validate(changed, {**BASE, "answers": {str(question.id): "B"}})
    assert any(str(question.id) in key for key in refused.value.errors)
