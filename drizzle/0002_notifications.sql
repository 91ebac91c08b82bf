CREATE TABLE "dead_targets" (
	"target" text PRIMARY KEY NOT NULL,
	"notifier" text NOT NULL,
	"detail" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "deliveries" (
	"run_id" uuid NOT NULL,
	"target" text NOT NULL,
	"status" text NOT NULL,
	"detail" text NOT NULL,
	"attempts" integer NOT NULL,
	"duration_ms" integer NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "deliveries_run_id_target_pk" PRIMARY KEY("run_id","target")
);
--> statement-breakpoint
CREATE TABLE "notifier_posts" (
	"release_id" bigint NOT NULL,
	"notifier" text NOT NULL,
	"target" text NOT NULL,
	"message_id" text,
	"thread_id" text,
	"verdict" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "notifier_posts_release_id_notifier_pk" PRIMARY KEY("release_id","notifier")
);
--> statement-breakpoint
ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_run_id_seal_runs_run_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."seal_runs"("run_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notifier_posts" ADD CONSTRAINT "notifier_posts_release_id_releases_id_fk" FOREIGN KEY ("release_id") REFERENCES "public"."releases"("id") ON DELETE no action ON UPDATE no action;