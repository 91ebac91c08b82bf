CREATE TABLE "tier_credits" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"app_id" bigint NOT NULL,
	"release_id" bigint NOT NULL,
	"tier" text NOT NULL,
	"credited" boolean NOT NULL,
	"reason" text,
	"format" text NOT NULL,
	"tests" integer NOT NULL,
	"passed" integer NOT NULL,
	"failed" integer NOT NULL,
	"skipped" integer NOT NULL,
	"flaky" integer NOT NULL,
	"report_sha256" text NOT NULL,
	"report_bytes" integer NOT NULL,
	"run_id" uuid,
	"credited_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "tier_credits" ADD CONSTRAINT "tier_credits_app_id_apps_id_fk" FOREIGN KEY ("app_id") REFERENCES "public"."apps"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tier_credits" ADD CONSTRAINT "tier_credits_release_id_releases_id_fk" FOREIGN KEY ("release_id") REFERENCES "public"."releases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tier_credits" ADD CONSTRAINT "tier_credits_run_id_seal_runs_run_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."seal_runs"("run_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "tier_credits_release" ON "tier_credits" USING btree ("release_id","tier","id");