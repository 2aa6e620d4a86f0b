declare const openapiChecks: {
  readonly checkRunBodyErrors: (kind: "checks/create" | "checks/update", body: unknown) => string[];
};
export default openapiChecks;
