"""Memberships declared from a Pulumi Python program with the native `seam` provider.

`pulumi install` creates the virtualenv (venv/) and installs requirements.txt into it: `pulumi` from PyPI and
`pulumi_seam`, the SDK package of the release (examples/README.md). On the first run the engine downloads the
plugin `pulumi-resource-seam` for this machine from the release location the package names.
"""
import pulumi
import pulumi_seam as seam

config = pulumi.Config()
ada = config.require("ada")

# One person in one access group, through the default provider (the stack's seam: config).
lobby = seam.AccessGroupMembership(
    "ada-lobby",
    acs_user_id=ada,
    acs_access_group_id=config.require("lobbyGroup"),
)

# A second Seam workspace in the same program: an explicit provider with its own key,
# kept secret in the stack config (pulumi config set --secret siteBApiKey seam_...),
# on Seam's API unless siteBEndpoint names another.
site_b = seam.Provider("site-b", api_key=config.require_secret("siteBApiKey"), endpoint=config.get("siteBEndpoint"))

# A whole group's members as one resource; the keys name people in the review and in preview --diff.
# People have ids of their own in each workspace. acs_user_ids also takes a plain list of ids.
seam.AccessGroupRoster(
    "site-b-lab",
    acs_access_group_id=config.require("siteBLabGroup"),
    acs_user_ids={"ada": config.require("siteBAda"), "grace": config.require("siteBGrace")},
    opts=pulumi.ResourceOptions(provider=site_b),
)

pulumi.export("adaLobbyWorkspace", lobby.workspace_id)
