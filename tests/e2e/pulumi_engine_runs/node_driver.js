// Automation API operations on a Node inline program, for the engine tests: the Node SDK serves the language
// runtime in this process (no pulumi-language-nodejs) and runs the built CLI.
//
//   node node_driver.js '<request as JSON>'
//
// The request: {stack, project, workDir, pulumiRoot, backend, pulumiHome, env: {...}, config: {key: {value,
// secret}}, plugins: [{name, path}], steps: [{op: "up" | "preview" | "refresh" | "destroy", program: <compiled
// program module>, expectNoChanges}]}. Each step loads its program module afresh, as `pulumi up` of a project would
// run it; its exports are the stack's outputs. The answer, on the last line of stdout: one {changes, outputs,
// display} per step, or, from a step that failed, {error} and no more steps.
"use strict";

const auto = require("@pulumi/pulumi/automation");

async function main() {
    const request = JSON.parse(process.argv[2]);
    let module = null;
    const program = async () => {
        delete require.cache[require.resolve(module)];
        return { ...require(module) };
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
    const results = [];
    for (const step of request.steps) {
        module = step.program;
        try {
            results.push(await run(stack, step));
        } catch (error) {
            results.push({ error: String(error && error.message ? error.message : error) });
            break;
        }
    }
    process.stdout.write("\n" + JSON.stringify(results) + "\n");
}

async function run(stack, step) {
    let display = "";
    const onOutput = (text) => { display += text; };
    let changes = {};
    let outputs = {};
    if (step.op === "up") {
        const result = await stack.up({ onOutput });
        changes = result.summary.resourceChanges || {};
        outputs = Object.fromEntries(Object.entries(result.outputs).map(([k, v]) => [k, v.value]));
    } else if (step.op === "preview") {
        const result = await stack.preview({ onOutput, diff: true, expectNoChanges: !!step.expectNoChanges });
        changes = result.changeSummary || {};
    } else if (step.op === "refresh") {
        changes = (await stack.refresh({ onOutput })).summary.resourceChanges || {};
    } else if (step.op === "destroy") {
        changes = (await stack.destroy({ onOutput })).summary.resourceChanges || {};
    } else {
        throw new Error(`unknown operation ${step.op}`);
    }
    return { changes, outputs, display };
}

main().catch((error) => {
    process.stderr.write(String(error && error.stack ? error.stack : error) + "\n");
    process.exit(1);
});
