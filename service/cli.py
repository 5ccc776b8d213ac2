"""The `wenshu` command. Each feature area registers its commands from its own module."""
from __future__ import annotations

import importlib

import click

# Modules that define a click command or group named `commands` (a list) to add to `wenshu`.
COMMAND_MODULES = [
    "service.render.cli",
    "service.run",
    "service.forms.cli",
    "service.records.cli",
    "service.yearend.cli",
    "service.yearend.batch_cli",
    "service.templates.cli",
    "service.kinds.cli",  # `wenshu make KIND`: any kind of the one list
    "samples.cli",  # `wenshu load`: the sample sets (samples/<set>/) into the records store
]


@click.group()
def main() -> None:
    """社教文书：社区教育公文、台帐与报表生成。"""


for _name in COMMAND_MODULES:
    for _cmd in importlib.import_module(_name).commands:
        main.add_command(_cmd)


if __name__ == "__main__":
    main()
