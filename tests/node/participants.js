// twilio-node against the emulator, configured by the environment alone (HTTP_PROXY and
// NODE_EXTRA_CA_CERTS from `twilio-conf-emulator env`), or by EMULATOR_BASE_URL (baseUrl).
// Prints one JSON line per step; tests/test_node_clients.py checks them.
const http = require("http");
const twilio = require("twilio");

const client = twilio(process.env.TWILIO_ACCOUNT_SID, process.env.TWILIO_AUTH_TOKEN);
if (process.env.EMULATOR_BASE_URL) {
  client.api.baseUrl = process.env.EMULATOR_BASE_URL;
  client.edge = undefined;   // TWILIO_EDGE / TWILIO_REGION would rewrite the host
  client.region = undefined;
}

function advance(seconds) {  // the control API, direct on loopback
  return new Promise((resolve, reject) => {
    const req = http.request(`${process.env.EMULATOR_CONTROL_URL}/_emulator/clock/advance`,
      { method: "POST", headers: { "Content-Type": "application/json" } }, (res) => {
        res.resume(); res.on("end", resolve);
      });
    req.on("error", reject);
    req.end(JSON.stringify({ seconds }));
  });
}

(async () => {
  const p = await client.conferences("NodeRoom").participants.create(
    { from: "+15550000001", to: "+15550000002", label: "node" });
  console.log(JSON.stringify({ step: "create", conferenceSid: p.conferenceSid, callSid: p.callSid }));
  await advance(10);
  const u = await client.conferences(p.conferenceSid).participants(p.callSid).update({ muted: true });
  console.log(JSON.stringify({ step: "update", muted: u.muted }));
  const list = await client.conferences(p.conferenceSid).participants.list();
  console.log(JSON.stringify({ step: "list", callSids: list.map((x) => x.callSid) }));
  try {
    await client.conferences("CF00000000000000000000000000000000").fetch();
    console.log(JSON.stringify({ step: "missing", code: null }));
  } catch (err) {
    console.log(JSON.stringify({ step: "missing", code: err.code, status: err.status }));
  }
})().catch((err) => { console.error(String(err && err.stack || err)); process.exit(1); });
