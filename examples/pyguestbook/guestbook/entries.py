"""The rules of a signature: name and message trimmed, required, at most 100 and 1000 characters."""

LIMITS = {"name": 100, "message": 1000}


class Invalid(ValueError):
    """The form's problems, one sentence each."""

    def __init__(self, errors):
        super().__init__("; ".join(errors))
        self.errors = errors


def validate(name, message):
    """The trimmed `(name, message)`, or `Invalid` with every problem."""
    values = {"name": name.strip(), "message": message.strip()}
    errors = []
    for field, value in values.items():
        if not value:
            errors.append(f"The {field} is required.")
        elif len(value) > LIMITS[field]:
            errors.append(f"The {field} has at most {LIMITS[field]} characters.")
    if errors:
        raise Invalid(errors)
    return values["name"], values["message"]
