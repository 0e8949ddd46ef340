// One Automation API operation on a Node inline program, for the engine tests: the Node SDK serves the language
// runtime in this process (no pulumi-language-nodejs) and runs the built CLI.
//
//   node node_driver.js '<request as JSON>'
//
// The request: {op: "up" | "preview" | "refresh" | "destroy", program: <compiled program module>, stack, project,
// workDir, pulumiRoot, backend, pulumiHome, env: {...}, config: {key: {value, secret}}, plugins: [{name, path}],
// expectNoChanges}. The program module is loaded afresh by each run, as `pulumi up` of a project would run it; its
// exports are the stack's outputs. The answer, on the last line of stdout: {changes, outputs, display}.
"use strict";

const auto = require("@pulumi/pulumi/automation");

async function main() {
    const request = JSON.parse(process.argv[2]);
    const program = async () => {
        delete require.cache[require.resolve(request.program)];
        return { ...require(request.program) };
    };
    const stack = await auto.LocalWorkspace.createOrSelectStack(
        { stackName: request.stack, projectName: request.project, program },
        {
            workDir: request.workDir,
            pulumiHome: request.pulumiHome,
            envVars: request.env,
            secretsProvider: "passphrase",
            pulumiCommand: await auto.PulumiCommand.get({ root: request.pulumiRoot }),
            projectSettings: {
                name: request.project,
                runtime: "nodejs",
                backend: { url: request.backend },
                plugins: { providers: request.plugins },
            },
        },
    );
    await stack.setAllConfig(request.config || {});
    let display = "";
    const onOutput = (text) => { display += text; };
    let changes = {};
    let outputs = {};
    if (request.op === "up") {
        const result = await stack.up({ onOutput });
        changes = result.summary.resourceChanges || {};
        outputs = Object.fromEntries(Object.entries(result.outputs).map(([k, v]) => [k, v.value]));
    } else if (request.op === "preview") {
        const result = await stack.preview({ onOutput, diff: true, expectNoChanges: !!request.expectNoChanges });
        changes = result.changeSummary || {};
    } else if (request.op === "refresh") {
        changes = (await stack.refresh({ onOutput })).summary.resourceChanges || {};
    } else if (request.op === "destroy") {
        changes = (await stack.destroy({ onOutput })).summary.resourceChanges || {};
    } else {
        throw new Error(`unknown operation ${request.op}`);
    }
    process.stdout.write("\n" + JSON.stringify({ changes, outputs, display }) + "\n");
}

main().catch((error) => {
    process.stderr.write(String(error && error.stack ? error.stack : error) + "\n");
    process.exit(1);
});
