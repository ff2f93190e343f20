"""Memberships declared from a Pulumi Python program with the native `seam` provider.

The package `pulumi_seam` is generated from the plugin's schema by
`pulumi package add ./node_modules/pulumi-seam-acs/bin/pulumi-resource-seam` (examples/README.md).
"""
import pulumi
import pulumi_seam as seam

config = pulumi.Config()
ada = config.require("ada")
grace = config.require("grace")

# One person in one access group, through the default provider (the stack's seam: config).
lobby = seam.AccessGroupMembership(
    "ada-lobby",
    acs_user_id=ada,
    acs_access_group_id=config.require("lobbyGroup"),
)

# A second Seam workspace in the same program: an explicit provider with its own key,
# kept secret in the stack config (pulumi config set --secret siteBApiKey seam_...).
site_b = seam.Provider("site-b", api_key=config.require_secret("siteBApiKey"))

# A whole group's members as one resource; the keys name people in the review and in preview --diff.
seam.AccessGroupRoster(
    "site-b-lab",
    acs_access_group_id=config.require("siteBLabGroup"),
    acs_user_ids={"ada": ada, "grace": grace},
    opts=pulumi.ResourceOptions(provider=site_b),
)

pulumi.export("adaLobbyWorkspace", lobby.workspace_id)
