import { Button, type ButtonProps } from "./button";
import { toast } from "./toast";

/** copyText puts text on the clipboard and says so; a refused clipboard says what to do instead. */
export async function copyText(text: string, what: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    toast({ title: `${what} copied` });
  } catch {
    toast({ title: "Copy failed: select the text and copy it", variant: "error" });
  }
}

/** CopyButton copies text; what names it in the button and the confirmation ("Terraform fix"). */
export function CopyButton({ text, what, children, ...props }: Omit<ButtonProps, "onClick"> & { text: string; what: string }) {
  return (
    <Button variant="outline" size="sm" onClick={() => void copyText(text, what)} {...props}>
      {children ?? `Copy ${what}`}
    </Button>
  );
}
