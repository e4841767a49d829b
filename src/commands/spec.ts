/** `spec`: print the SPEC message. Never loads the Kafka client. */
import { defineCommand } from "citty";
import { specMessage } from "../config/spec.ts";
import { createEmitter } from "../protocol/emit.ts";

export default defineCommand({
  meta: { name: "spec", description: "Print the connector's SPEC message" },
  run: async () => {
    await createEmitter().message(specMessage());
  },
});
