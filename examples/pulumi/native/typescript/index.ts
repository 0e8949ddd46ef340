// A blocklist and two teams' items in it, with the native cloudflare-lists provider, from TypeScript.
//   pip install 'edgeops-cloudflare-lists[pulumi]'            # puts pulumi-resource-cloudflare-lists on PATH
//   pulumi config set --secret cloudflare-lists:apiToken <token>
//   pulumi config set accountId <account id>
//   pulumi up
import * as pulumi from "@pulumi/pulumi";

// The provider's resources by their types; their inputs and outputs are in docs/cloudflare-lists-provider.md.
type Item = string | number | Record<string, unknown>;

class RulesList extends pulumi.CustomResource {
    declare readonly listId: pulumi.Output<string>;
    declare readonly items: pulumi.Output<Item[]>;
    declare readonly numItems: pulumi.Output<number>;
    constructor(name: string, args: Record<string, pulumi.Input<unknown>>, opts?: pulumi.CustomResourceOptions) {
        super("cloudflare-lists:index:RulesList", name, { listId: undefined, numItems: undefined, items: undefined, ...args }, opts);
    }
}

class ListItems extends pulumi.CustomResource {
    declare readonly items: pulumi.Output<Item[]>;
    declare readonly kind: pulumi.Output<string>;
    constructor(name: string, args: Record<string, pulumi.Input<unknown>>, opts?: pulumi.CustomResourceOptions) {
        super("cloudflare-lists:index:ListItems", name, { kind: undefined, ...args }, opts);
    }
}

const accountId = new pulumi.Config().require("accountId");

const blocklist = new RulesList("blocklist", {
    accountId,
    name: "edge_blocklist_ts",
    kind: "ip",
    description: "Blocked at the edge by the rule that uses $edge_blocklist_ts",
});
const security = new ListItems("security", {
    accountId,
    listId: blocklist.listId,
    items: [{ ip: "192.0.2.0/24", comment: "abuse report 1412" }, "198.51.100.7/32"],
}, { deletedWith: blocklist });
const scanners = new ListItems("scanners", {
    accountId,
    listId: blocklist.listId,
    items: ["203.0.113.0/24", "2001:DB8::BAD"],
}, { deletedWith: blocklist });

export const blocklistId = blocklist.listId;
export const securityItems = security.items;
export const scannerItems = scanners.items;
