// The baseline: the dynamic provider a user would write by hand for the same job, one `fetch` per
// operation, no retries, no budget, refresh reading each membership on its own. Same inputs and
// the same Seam routes as pulumi-seam-acs, so the two are compared on equal terms.
const pulumi = require("@pulumi/pulumi");
const memberships = require("./memberships.json");

const provider = {
  async create(inputs) {
    await seam("/acs/users/add_to_access_group", { acs_user_id: inputs.acsUserId, acs_access_group_id: inputs.acsAccessGroupId });
    return { id: `${inputs.acsAccessGroupId}/${inputs.acsUserId}`, outs: inputs };
  },
  async read(id, props) {
    const body = await seam("/acs/access_groups/list", { acs_user_id: props.acsUserId });
    const present = body.acs_access_groups.some((g) => g.acs_access_group_id === props.acsAccessGroupId);
    return present ? { id, props } : { id: "" };
  },
  async delete(_id, props) {
    await seam("/acs/users/remove_from_access_group", { acs_user_id: props.acsUserId, acs_access_group_id: props.acsAccessGroupId });
  },
};

async function seam(route, body) {
  const res = await fetch(`${process.env.SEAM_ENDPOINT}${route}`, {
    method: "POST",
    headers: { authorization: `Bearer ${process.env.SEAM_API_KEY}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${route} answered ${res.status}`);
  return res.json();
}

class Membership extends pulumi.dynamic.Resource {
  constructor(name, args) {
    super(provider, name, args, undefined, "baseline", "Membership");
  }
}

for (const m of memberships) new Membership(m.name, { acsUserId: m.acsUserId, acsAccessGroupId: m.acsAccessGroupId });
