"""Tool arguments: typed, bounded, described. Arguments that fail these types
never reach a service; the caller gets ``[validation_failed]`` with field paths."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "ActionInput",
    "ApprovalRequestId",
    "ChangedFileInput",
    "FindingId",
    "OutcomeInput",
    "ProjectId",
    "TaskPacketId",
    "TestResultInput",
]

TaskPacketId = Annotated[
    str,
    Field(
        description="The task packet (tp_...).",
        min_length=3,
        max_length=128,
        pattern=r"^tp_[A-Za-z0-9_-]+$",
    ),
]
ProjectId = Annotated[
    str,
    Field(
        description="The project (proj_...).",
        min_length=3,
        max_length=128,
        pattern=r"^proj_[A-Za-z0-9_-]+$",
    ),
]
FindingId = Annotated[
    str,
    Field(
        description="The finding (find_...).",
        min_length=3,
        max_length=128,
        pattern=r"^find_[A-Za-z0-9_-]+$",
    ),
]
ApprovalRequestId = Annotated[
    str,
    Field(
        description="The approval request (appr_...).",
        min_length=3,
        max_length=128,
        pattern=r"^appr_[A-Za-z0-9_-]+$",
    ),
]
_Sha256 = Annotated[str, Field(pattern=r"^(sha256:)?[0-9a-f]{64}$")]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ActionInput(_Input):
    """One action you are about to take, described exactly as you will take it."""

    type: str = Field(
        min_length=1,
        max_length=100,
        description="file_read, file_write, file_delete, command_run, test_run, git_commit, "
        "git_push, network_egress, dependency_change, config_change, ...",
    )
    path: str | None = Field(
        default=None, max_length=4096, description="Repository-relative path the action touches."
    )
    command: list[str] | str | None = Field(
        default=None,
        description="The command: an argv list (run without a shell) or one shell line.",
    )
    host: str | None = Field(
        default=None, max_length=2048, description="URL or host name the action reaches."
    )
    package: str | None = Field(
        default=None, max_length=500, description="Package a dependency change touches."
    )
    version: str | None = Field(
        default=None, max_length=200, description="Version (or specifier) the package moves to."
    )

    def to_action(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


class ChangedFileInput(_Input):
    path: str = Field(min_length=1, max_length=4096, description="Repository-relative path.")
    sha256: _Sha256 = Field(description="SHA-256 (hex) of the file's content after the change.")


class TestResultInput(_Input):
    __test__ = False  # not a pytest class

    name: str = Field(
        min_length=1, max_length=200, description="A test the packet requires, or another run."
    )
    status: Literal["passed", "failed", "skipped", "error"]
    output_digest: _Sha256 | None = Field(
        default=None, description="SHA-256 (hex) of the run's output."
    )


class OutcomeInput(_Input):
    """What you did, with the evidence the packet's evidence_required lists."""

    status: Literal["fixed", "partial", "failed", "not_reproducible"] = Field(
        description="fixed / not_reproducible submit the packet for a verifying rescan; "
        "partial / failed give it back for another attempt."
    )
    summary: str | None = Field(default=None, max_length=5000)
    changed_files: list[ChangedFileInput] = Field(default_factory=list, max_length=1000)
    commit_sha: str | None = Field(default=None, pattern=r"^[0-9a-f]{7,64}$")
    test_results: list[TestResultInput] = Field(default_factory=list, max_length=1000)
    tool_output_digests: dict[str, _Sha256] = Field(
        default_factory=dict, description="Tool name -> SHA-256 (hex) of its output."
    )

    def to_report(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)
