"""Starts the Rasa engine (`python -m nlu.engine run ...`, same arguments as `rasa`) with one
measured fix applied inside the engine process: cached JSON-schema validators.

Rasa 3.6 validates every action-server response, NLG response and posted event list with
`jsonschema.validate`, which checks the *schema itself* against its meta-schema on every
call before validating the data. With jsonschema 4.17 that meta-schema check took about
85% of the engine's CPU under load (py-spy, 20 concurrent customers). Here each distinct
schema is checked once and its validator reused; every response is still validated, with
the same validator class and the same errors.
"""

from __future__ import annotations

import json
import sys
from typing import Any


def cached_validate(original: Any) -> Any:
    """A drop-in `jsonschema.validate` that builds each schema's validator once."""
    import jsonschema
    from jsonschema.exceptions import best_match

    validators: dict[tuple[str, Any], Any] = {}

    def validate(instance: Any, schema: Any, cls: Any = None, *args: Any, **kwargs: Any) -> None:
        if args or kwargs:
            return original(instance, schema, cls, *args, **kwargs)
        key = (json.dumps(schema, sort_keys=True, default=str), cls)
        validator = validators.get(key)
        if validator is None:
            validator_class = cls or jsonschema.validators.validator_for(schema)
            validator_class.check_schema(schema)
            validator = validators[key] = validator_class(schema)
        error = best_match(validator.iter_errors(instance))
        if error is not None:
            raise error
        return None

    return validate


def main(argv: list[str] | None = None) -> None:
    import jsonschema

    jsonschema.validate = cached_validate(jsonschema.validate)
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *(sys.argv[1:] if argv is None else argv)]
    rasa_main()


if __name__ == "__main__":
    main()
