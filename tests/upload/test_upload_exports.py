"""The uploader's package face is honest: ``__all__`` lists exactly its public names."""

from __future__ import annotations

import types

import activity_schema.upload as package


def test_all_names_resolve_once() -> None:
    assert sorted(set(package.__all__)) == sorted(package.__all__)
    for name in package.__all__:
        assert getattr(package, name) is not None, name


def test_all_is_complete() -> None:
    public = {
        name
        for name, value in vars(package).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public - {"annotations"} == set(package.__all__)


def test_documented_entry_point_is_the_function() -> None:
    # README documents ``activity_schema.upload.upload(client, folder, options)``.
    assert callable(package.upload)
    assert package.upload.__module__ == "activity_schema.upload.run"
