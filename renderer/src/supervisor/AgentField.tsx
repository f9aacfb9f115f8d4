import { TextField } from "../shared/TextField";

/** Free entry of an account identifier, with the agents already seen offered as suggestions. */
export function AgentField({
  path,
  label,
  value,
  onChange,
  agents,
  error,
  help,
  required,
}: {
  path: string;
  label: string;
  value: string;
  onChange(v: string): void;
  agents: readonly string[];
  error?: string | undefined;
  help?: string | undefined;
  required?: boolean;
}) {
  const listId = `${path.replace(/[^a-zA-Z0-9_-]/g, "-")}-agents`;
  return (
    <>
      <TextField
        path={path}
        label={label}
        value={value}
        onChange={onChange}
        error={error}
        help={help}
        {...(required ? { required } : {})}
        input={{ list: listId, maxLength: 80, autoComplete: "off", spellCheck: false }}
      />
      <datalist id={listId} data-testid={listId}>
        {agents.map((a) => (
          <option key={a} value={a} />
        ))}
      </datalist>
    </>
  );
}
