"""The bundled sample run once per test session, shared by the workflow tests that read its results."""

import pytest

from .workdir import snakemake, workdir_copy


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory):
    work = workdir_copy(tmp_path_factory.mktemp("workflow"))
    snakemake(work, "--cores", "2")
    return work
