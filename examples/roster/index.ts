/**
 * Rosters: a group and its members, from a roster file kept by the people who run the building,
 * or written in code.
 *
 *   pulumi config set --secret seam:apiKey seam_...
 *   pulumi preview     # who gains or loses access
 *   pulumi up
 *
 * Take a person out of roster.yaml and `pulumi up` revokes exactly their membership; members
 * added to a group outside Pulumi are left alone.
 */
import * as pulumi from "@pulumi/pulumi";
import * as path from "node:path";
import { AccessGroupRoster, loadRoster, lookupAcsUser } from "pulumi-seam-acs";

// One roster resource per group in the file, named after it. Each member is named by their id
// or email, so reordering the file changes nothing.
for (const [group, args] of Object.entries(loadRoster(path.join(__dirname, "roster.yaml")))) {
  new AccessGroupRoster(group, args);
}

// The same in code. A plain list of ids names each member by its id; values known only
// later (a lookup, another resource's output) need the keyed form, whose keys are the names.
const roof = new pulumi.Config().get("roofGroupId");
if (roof) {
  new AccessGroupRoster("roof", {
    acsAccessGroupId: roof,
    acsUserIds: {
      ada: "8d7e0b3a-b889-49a7-9164-4b71a0506a33",
      grace: lookupAcsUser({ email: "grace@example.com" }).then((user) => user.acsUserId),
    },
  });
}
