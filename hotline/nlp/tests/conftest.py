"""One private model cache for the whole test session: the seed models train once."""

import pytest

from hotline.nlp import defaults


@pytest.fixture(scope="session", autouse=True)
def seed_model_cache(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("HOTLINE_MODEL_DIR", str(tmp_path_factory.mktemp("models")))
    defaults._models.clear()
    yield
    defaults._models.clear()
    mp.undo()
