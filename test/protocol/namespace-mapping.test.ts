import { describe, expect, it } from "bun:test";
import { parseNamespaceMapping } from "../../src/protocol/namespace-mapping.ts";

// biome-ignore lint/suspicious/noTemplateCurlyInString: the CDK's placeholder, literally.
const SOURCE_NAMESPACE = "${SOURCE_NAMESPACE}";

const users = { name: "users", namespace: "public" };
const bare = { name: "users", namespace: undefined };

describe("parseNamespaceMapping", () => {
  it.each<[string, Record<string, unknown>, { name: string; namespace: string | undefined }[]]>([
    ["source keeps the source's namespace", { namespaceDefinitionType: "source" }, [users, bare]],
    [
      "destination drops it (the destination's default)",
      { namespaceDefinitionType: "destination", namespaceFormat: "ignored" },
      [bare, bare],
    ],
    [
      "customformat puts the source's namespace in the format",
      { namespaceDefinitionType: "customformat", namespaceFormat: `raw_${SOURCE_NAMESPACE}_v2` },
      [
        { name: "users", namespace: "raw_public_v2" },
        { name: "users", namespace: "raw__v2" },
      ],
    ],
    [
      // The CDK splits the format at the placeholder; without one, the source's namespace follows it.
      "customformat without the placeholder is followed by the source's namespace, as in the CDK",
      { namespaceDefinitionType: "customformat", namespaceFormat: "landing" },
      [
        { name: "users", namespace: "landingpublic" },
        { name: "users", namespace: "landing" },
      ],
    ],
    [
      "customformat that builds a blank namespace gives none",
      { namespaceDefinitionType: "customformat", namespaceFormat: SOURCE_NAMESPACE },
      [users, bare],
    ],
    [
      "a stream prefix prefixes every name",
      { namespaceDefinitionType: "source", streamPrefix: "pre_" },
      [
        { name: "pre_users", namespace: "public" },
        { name: "pre_users", namespace: undefined },
      ],
    ],
    ["a blank prefix is none", { namespaceDefinitionType: "source", streamPrefix: "  " }, [users, bare]],
  ])("%s", (_, raw, expected) => {
    const map = parseNamespaceMapping(raw);
    expect([map(users), map(bare)]).toEqual(expected);
  });

  it("refuses a file without a known namespaceDefinitionType, or with a field of the wrong kind", () => {
    expect(() => parseNamespaceMapping({ namespaceDefinitionType: "SOURCE" })).toThrow(
      "The namespace mapping file has no namespaceDefinitionType of source, destination or customformat.",
    );
    expect(() => parseNamespaceMapping({ namespaceDefinitionType: "source", streamPrefix: 3 })).toThrow(
      "The namespace mapping file's streamPrefix is not a string.",
    );
  });
});
