"""Help text, generated from the command table."""

from __future__ import annotations

from handlers.chat.commands import command_table
from handlers.chat.parser import find_command
from handlers.chat.replies import Line, Reply


def help_reply(name: str | None = None) -> Reply:
    """Help generated from the command table: every command, or one in detail."""
    if name:
        command = find_command(name)
        lines = [Line(command.summary)]
        lines += [
            Line(f"{arg.name}: {arg.description}" + ("" if arg.required else " (optional)"))
            for arg in command.args
        ]
        if command.admin_only:
            lines.append(Line("Changing this channel needs a workspace admin."))
        return Reply(title=f"/podbrief {command.usage}", lines=lines)
    lines = [Line(f"{command.usage} — {command.summary}") for command in command_table()]
    return Reply(title="podbrief commands", lines=lines)
