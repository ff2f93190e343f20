// Memberships declared from a Pulumi Go program with the native `seam` provider. The SDK package
// github.com/pulumi-seam-acs/pulumi-seam-acs/sdk/go/seam is generated and linked into go.mod by
// `pulumi package add ./node_modules/pulumi-seam-acs/bin/pulumi-resource-seam` (examples/README.md).
package main

import (
	"github.com/pulumi-seam-acs/pulumi-seam-acs/sdk/go/seam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		cfg := config.New(ctx, "")
		ada, grace := cfg.Require("ada"), cfg.Require("grace")

		// One person in one access group, through the default provider (the stack's seam: config).
		lobby, err := seam.NewAccessGroupMembership(ctx, "ada-lobby", &seam.AccessGroupMembershipArgs{
			AcsUserId:        pulumi.String(ada),
			AcsAccessGroupId: pulumi.String(cfg.Require("lobbyGroup")),
		})
		if err != nil {
			return err
		}

		// A second Seam workspace in the same program: an explicit provider with its own key,
		// kept secret in the stack config (pulumi config set --secret siteBApiKey seam_...).
		siteB, err := seam.NewProvider(ctx, "site-b", &seam.ProviderArgs{ApiKey: cfg.RequireSecret("siteBApiKey")})
		if err != nil {
			return err
		}
		// A whole group's members as one resource; the keys name people in the review and in preview --diff.
		_, err = seam.NewAccessGroupRoster(ctx, "site-b-lab", &seam.AccessGroupRosterArgs{
			AcsAccessGroupId: pulumi.String(cfg.Require("siteBLabGroup")),
			AcsUserIds:       pulumi.StringMap{"ada": pulumi.String(ada), "grace": pulumi.String(grace)},
		}, pulumi.Provider(siteB))
		if err != nil {
			return err
		}

		ctx.Export("adaLobbyWorkspace", lobby.WorkspaceId)
		return nil
	})
}
