'use strict';
// Consumes with a kafkajs consumer group against a Strata broker; run by KafkajsConsumerGroupTest.
//
//   node kafkajs-group.js <bootstrap host:port> <topic> <group> <expected record count>
//
// Two consumers of <group> subscribe to <topic> from the beginning and read until <expected> records arrived
// between them, then disconnect (committing their offsets). Prints "ASSIGNED <n>" for the partitions each
// member was given, "CONSUMED <json>" with every value read, "OFFSETS <json>" with the group's committed
// offsets as kafkajs' admin fetches them, or "FAIL <why>" (exit code 1).
const { Kafka, logLevel } = require('kafkajs');

const [bootstrap, topic, groupId, expectedArg] = process.argv.slice(2);
if (!bootstrap || !topic || !groupId || !expectedArg) {
  console.error('usage: node kafkajs-group.js <bootstrap> <topic> <group> <expected record count>');
  process.exit(2);
}
const expected = Number(expectedArg);

async function main() {
  const kafka = new Kafka({ clientId: 'strata-kafkajs-group', brokers: [bootstrap], logLevel: logLevel.WARN });
  const consumed = [];
  let resolveDone;
  const done = new Promise((resolve) => { resolveDone = resolve; });
  const consumers = [0, 1].map(() => kafka.consumer({ groupId, sessionTimeout: 10000, heartbeatInterval: 500 }));
  for (const consumer of consumers) {
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      const assigned = Object.values(event.payload.memberAssignment).reduce((n, parts) => n + parts.length, 0);
      console.log(`ASSIGNED ${assigned}`);
    });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        consumed.push(message.value.toString());
        if (consumed.length >= expected) {
          resolveDone();
        }
      },
    });
  }
  const timeout = setTimeout(() => {
    console.log(`FAIL only ${consumed.length} of ${expected} records within 45 s`);
    process.exit(1);
  }, 45000);
  await done;
  clearTimeout(timeout);
  for (const consumer of consumers) {
    await consumer.disconnect();
  }
  console.log(`CONSUMED ${JSON.stringify(consumed)}`);
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
  console.log(`OFFSETS ${JSON.stringify(offsets)}`);
  await admin.disconnect();
}

main().then(
  () => process.exit(0),
  (error) => {
    console.log(`FAIL ${error && error.stack ? error.stack : error}`);
    process.exit(1);
  });
